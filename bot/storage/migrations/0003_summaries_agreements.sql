-- Summaries the person prepares and sends, agreements negotiated after a session,
-- and what an account's next free text answers (outside a dialogue).
CREATE TABLE summaries (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    worker_id INTEGER REFERENCES workers (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'delivered', 'failed', 'acknowledged')),
    -- Increases at each change of the draft; a button of an older preview is stale.
    revision INTEGER NOT NULL DEFAULT 0,
    -- The sections as the person saw them, their choices and topics: encrypted JSON.
    content BLOB NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    delivered_at TEXT,
    acknowledged_at TEXT
);
-- One draft at a time per person: /preparer always finds the same one.
CREATE UNIQUE INDEX summaries_one_draft ON summaries (person_id) WHERE status = 'draft';
CREATE INDEX summaries_by_person ON summaries (person_id, sent_at);

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    worker_id INTEGER REFERENCES workers (id) ON DELETE SET NULL,
    -- Rounds of one negotiation share a thread (the first round's id).
    thread_id INTEGER,
    round INTEGER NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('worker', 'person')),
    -- The wording of the problem and the next steps: encrypted.
    problem BLOB NOT NULL,
    steps BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'superseded')),
    created_at TEXT NOT NULL,
    answered_at TEXT
);
CREATE INDEX agreements_by_person ON agreements (person_id, id);

CREATE TABLE pending_inputs (
    account TEXT PRIMARY KEY,
    -- e.g. 'summary_topics', 'agreement_problem', 'agreement_steps', 'agreement_amend'.
    kind TEXT NOT NULL,
    ref INTEGER NOT NULL,
    -- What was typed so far in a multi-step input (encrypted JSON), if anything.
    data BLOB,
    created_at TEXT NOT NULL
);

-- A message of several parts (text, chart) resumes where it stopped, never repeating a part.
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
