-- Persons and their guided dialogue runs.
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    -- "telegram:<user id>" or "console:<name>": one row per account, whatever the transport.
    account TEXT NOT NULL UNIQUE,
    chat_id INTEGER,
    language TEXT NOT NULL DEFAULT 'fr',
    scale_mode TEXT NOT NULL DEFAULT 'numbers' CHECK (scale_mode IN ('numbers', 'emoji')),
    current_run_id INTEGER REFERENCES dialogue_runs (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);

CREATE TABLE dialogue_runs (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    dialogue_id TEXT NOT NULL,
    dialogue_version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'finished')),
    -- The engine's JSON state (it holds the answers), AES-GCM encrypted.
    state BLOB NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);

-- At most one run in progress per person and dialogue: resuming is never ambiguous.
CREATE UNIQUE INDEX dialogue_runs_one_active
    ON dialogue_runs (person_id, dialogue_id) WHERE status = 'active';
CREATE INDEX dialogue_runs_versions
    ON dialogue_runs (person_id, dialogue_id, finished_at);
