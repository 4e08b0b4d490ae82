-- Between appointments: the person's rhythm, appointments, reminders as rows, check-ins.
ALTER TABLE persons ADD COLUMN quiet_from INTEGER NOT NULL DEFAULT 20;
ALTER TABLE persons ADD COLUMN quiet_until INTEGER NOT NULL DEFAULT 9;
ALTER TABLE persons ADD COLUMN quiet_sunday INTEGER NOT NULL DEFAULT 1;
ALTER TABLE persons ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN strengths_every_weeks INTEGER NOT NULL DEFAULT 0;
-- 0 once Telegram said the person blocked the bot; set back to 1 when they write again.
ALTER TABLE persons ADD COLUMN reachable INTEGER NOT NULL DEFAULT 1;

CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    worker_id INTEGER REFERENCES workers (id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'cancelled')),
    -- The person's answer: 'noted' or 'cannot', once given.
    answer TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX appointments_by_person ON appointments (person_id, status, at);
CREATE INDEX appointments_by_time ON appointments (status, at);

CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    -- NULL for a worker's daily list; otherwise the person it is for or about.
    person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    worker_id INTEGER REFERENCES workers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    -- The appointment (or other row) it belongs to, so changing that updates it.
    ref INTEGER,
    due_at TEXT NOT NULL,
    -- After this moment the reminder means nothing any more and is dropped.
    stale_at TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dropped')),
    sent_at TEXT,
    created_at TEXT NOT NULL
);
-- The one index the scanner walks: pending reminders by time.
CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'pending';
CREATE INDEX reminders_by_person ON reminders (person_id, kind, status);

CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    -- The step, and what the person said happened (encrypted: their words).
    step BLOB NOT NULL,
    progress TEXT,
    learned BLOB,
    created_at TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX checkins_by_person ON checkins (person_id, id);
