-- The inbox: every update is stored (encrypted) before Telegram is told we have it, then
-- handled per lane (a chat) in update_id order. `status`: pending (to handle), refused (over
-- the sender's limit: answered with one kind notice, never handled), processed, set_aside
-- (could not be parsed or handled after a few tries; kept for inspection, never logged).
CREATE TABLE inbox (
    update_id INTEGER PRIMARY KEY,
    lane INTEGER NOT NULL,
    urgent INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    raw BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX inbox_waiting ON inbox (lane, urgent DESC, update_id)
    WHERE status IN ('pending', 'refused');
CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;

-- What the health check reads: the last time each loop (courier, jobs, Bot API) did its work.
CREATE TABLE heartbeats (
    name TEXT PRIMARY KEY,
    beat_at TEXT NOT NULL
);

-- The question a person has actually seen (the turn whose message Telegram accepted), and the
-- last update filed as an answer: free text is never filed under a question the person did
-- not see, nor filed twice when an update is handled again after a crash. NULL: a run from
-- before this migration, taken as seen.
ALTER TABLE dialogue_runs ADD COLUMN shown_turn INTEGER;
ALTER TABLE dialogue_runs ADD COLUMN last_update INTEGER;
