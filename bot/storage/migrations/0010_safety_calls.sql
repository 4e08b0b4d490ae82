-- Safety that never misses twice: help is shown for every message that states distress, so
-- the once-per-dialogue table goes; what remains is when help was last shown to an account
-- (a calmer repeat within a short window), the words held while the person decides whether
-- to keep them, and each "call me" request until the worker acknowledges it.
DROP TABLE safety_notices;

CREATE TABLE safety_shown (
    account TEXT PRIMARY KEY,
    levels TEXT NOT NULL,
    shown_at TEXT NOT NULL
);

CREATE TABLE safety_held (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL UNIQUE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    context TEXT NOT NULL,
    words BLOB NOT NULL,
    held_at TEXT NOT NULL
);

CREATE TABLE safety_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    worker_id INTEGER NOT NULL REFERENCES workers (id),
    requested_at TEXT NOT NULL,
    follow_up_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledgement TEXT,
    followed_up_at TEXT
);

CREATE INDEX safety_calls_open ON safety_calls (worker_id) WHERE acknowledged_at IS NULL;
CREATE INDEX safety_calls_follow_up ON safety_calls (follow_up_at)
    WHERE acknowledged_at IS NULL AND followed_up_at IS NULL;
