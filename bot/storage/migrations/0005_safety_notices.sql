-- The safety step shows once per dialogue run (or summary), not at every answer.
CREATE TABLE safety_notices (
    scope TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    shown_at TEXT NOT NULL
);
