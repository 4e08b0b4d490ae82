-- Workers, single-use invitations, the person's consent and link to a worker,
-- and the outbox through which everything sent to someone else travels.
CREATE TABLE workers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    structure TEXT,
    -- "telegram:<user id>" once the worker opened their invitation.
    account TEXT UNIQUE,
    chat_id INTEGER,
    language TEXT NOT NULL DEFAULT 'fr',
    active INTEGER NOT NULL DEFAULT 1,
    -- 0 when Telegram said the worker blocked the bot.
    reachable INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    joined_at TEXT,
    deactivated_at TEXT
);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    -- SHA-256 of the code: a stolen database gives no usable link.
    code_hash BLOB NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('worker', 'person')),
    -- The worker invited (kind worker) or the inviting worker (kind person).
    worker_id INTEGER NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    -- Encrypted pseudonym or first name the worker gave for the person.
    pseudonym BLOB,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by TEXT
);
CREATE INDEX invitations_open ON invitations (worker_id, kind) WHERE used_at IS NULL;

ALTER TABLE persons ADD COLUMN worker_id INTEGER REFERENCES workers (id) ON DELETE SET NULL;
ALTER TABLE persons ADD COLUMN pseudonym BLOB;
ALTER TABLE persons ADD COLUMN consent_version TEXT;
ALTER TABLE persons ADD COLUMN consented_at TEXT;
CREATE INDEX persons_by_worker ON persons (worker_id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    -- Idempotence: the same event never queues twice, even across restarts.
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('worker', 'person')),
    recipient_id INTEGER NOT NULL,
    -- What to send, encrypted JSON: it can quote the person's words.
    payload BLOB NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    -- Set when we gave up (recipient unreachable, or a permanent error).
    failed_at TEXT,
    failure TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
