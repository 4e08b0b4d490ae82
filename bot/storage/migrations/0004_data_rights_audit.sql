-- Erasing a person must find every row about them, and worker accesses are audited.
ALTER TABLE outbox ADD COLUMN about_person INTEGER;
CREATE INDEX outbox_about_person ON outbox (about_person);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    worker_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL,
    -- What was accessed: 'summary_delivered', 'summaries_listed', 'strengths_chart', …
    action TEXT NOT NULL,
    ref INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX audit_by_person ON audit (person_id, at);
