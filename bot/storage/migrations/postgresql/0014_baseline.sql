-- PostgreSQL baseline: the SQLite schema at version 14 (bot/storage/migrations/0001..0014),
-- in one file. Same tables, columns, constraints and indexes; BIGINT for SQLite's INTEGER
-- (Telegram ids exceed 32 bits), BYTEA for BLOB, BIGSERIAL ids (next ids come from their
-- sequence: safe with several replicas). Moments stay ISO 8601 text in UTC, as in SQLite, so
-- the table code's SQL is the same for both backends.

CREATE TABLE workers (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    structure TEXT,
    -- "telegram:<user id>" once the worker opened their invitation.
    account TEXT UNIQUE,
    chat_id BIGINT,
    language TEXT NOT NULL DEFAULT 'fr',
    active BIGINT NOT NULL DEFAULT 1,
    -- 0 when Telegram said the worker blocked the bot.
    reachable BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    joined_at TEXT,
    deactivated_at TEXT,
    quiet_from BIGINT NOT NULL DEFAULT 20,
    quiet_from_minute BIGINT NOT NULL DEFAULT 0,
    quiet_until BIGINT NOT NULL DEFAULT 8,
    quiet_until_minute BIGINT NOT NULL DEFAULT 0,
    quiet_sunday BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE persons (
    id BIGSERIAL PRIMARY KEY,
    -- "telegram:<user id>" or "console:<name>": one row per account, whatever the transport.
    account TEXT NOT NULL UNIQUE,
    chat_id BIGINT,
    language TEXT NOT NULL DEFAULT 'fr',
    scale_mode TEXT NOT NULL DEFAULT 'numbers' CHECK (scale_mode IN ('numbers', 'emoji')),
    current_run_id BIGINT,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    worker_id BIGINT REFERENCES workers (id) ON DELETE SET NULL,
    pseudonym BYTEA,
    consent_version TEXT,
    consented_at TEXT,
    quiet_from BIGINT NOT NULL DEFAULT 20,
    quiet_until BIGINT NOT NULL DEFAULT 9,
    quiet_sunday BIGINT NOT NULL DEFAULT 1,
    paused BIGINT NOT NULL DEFAULT 0,
    strengths_every_weeks BIGINT NOT NULL DEFAULT 0,
    reachable BIGINT NOT NULL DEFAULT 1,
    quiet_from_minute BIGINT NOT NULL DEFAULT 0,
    quiet_until_minute BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE dialogue_runs (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    dialogue_id TEXT NOT NULL,
    dialogue_version BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'finished')),
    -- The engine's JSON state (it holds the answers), AES-GCM encrypted.
    state BYTEA NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    shown_turn BIGINT,
    last_update BIGINT
);

ALTER TABLE persons ADD FOREIGN KEY (current_run_id)
    REFERENCES dialogue_runs (id) ON DELETE SET NULL;

CREATE UNIQUE INDEX dialogue_runs_one_active
    ON dialogue_runs (person_id, dialogue_id) WHERE status = 'active';

CREATE INDEX dialogue_runs_versions
    ON dialogue_runs (person_id, dialogue_id, finished_at);

CREATE TABLE invitations (
    id BIGSERIAL PRIMARY KEY,
    -- SHA-256 of the code: a stolen database gives no usable link.
    code_hash BYTEA NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('worker', 'person')),
    -- The worker invited (kind worker) or the inviting worker (kind person).
    worker_id BIGINT NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    -- Encrypted pseudonym or first name the worker gave for the person.
    pseudonym BYTEA,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by TEXT
);

CREATE INDEX invitations_open ON invitations (worker_id, kind) WHERE used_at IS NULL;

CREATE INDEX persons_by_worker ON persons (worker_id);

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    -- Idempotence: the same event never queues twice, even across restarts.
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('worker', 'person')),
    recipient_id BIGINT NOT NULL,
    -- What to send, encrypted JSON: it can quote the person's words.
    payload BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    -- Set when we gave up (recipient unreachable, or a permanent error).
    failed_at TEXT,
    failure TEXT,
    parts_sent BIGINT NOT NULL DEFAULT 0,
    about_person BIGINT
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE summaries (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    worker_id BIGINT REFERENCES workers (id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'sent', 'delivered', 'failed', 'acknowledged')),
    -- Increases at each change of the draft, a button of an older preview is stale.
    revision BIGINT NOT NULL DEFAULT 0,
    -- The sections as the person saw them, their choices and topics: encrypted JSON.
    content BYTEA NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    delivered_at TEXT,
    acknowledged_at TEXT
);

CREATE UNIQUE INDEX summaries_one_draft ON summaries (person_id) WHERE status = 'draft';

CREATE INDEX summaries_by_person ON summaries (person_id, sent_at);

CREATE TABLE agreements (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    worker_id BIGINT REFERENCES workers (id) ON DELETE SET NULL,
    -- Rounds of one negotiation share a thread (the first round's id).
    thread_id BIGINT,
    round BIGINT NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('worker', 'person')),
    -- The wording of the problem and the next steps: encrypted.
    problem BYTEA NOT NULL,
    steps BYTEA NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'accepted', 'superseded')),
    created_at TEXT NOT NULL,
    answered_at TEXT,
    steps_format BIGINT NOT NULL DEFAULT 1,
    change BYTEA
);

CREATE INDEX agreements_by_person ON agreements (person_id, id);

CREATE TABLE pending_inputs (
    account TEXT PRIMARY KEY,
    -- e.g. 'summary_topics', 'agreement_problem', 'agreement_steps', 'agreement_amend'.
    kind TEXT NOT NULL,
    ref BIGINT NOT NULL,
    -- What was typed so far in a multi-step input (encrypted JSON), if anything.
    data BYTEA,
    created_at TEXT NOT NULL
);

CREATE INDEX outbox_about_person ON outbox (about_person);

CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY,
    worker_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    -- What was accessed: 'summary_delivered', 'summaries_listed', 'strengths_chart', …
    action TEXT NOT NULL,
    ref BIGINT,
    at TEXT NOT NULL
);

CREATE INDEX audit_by_person ON audit (person_id, at);

CREATE TABLE appointments (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    worker_id BIGINT REFERENCES workers (id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'cancelled')),
    -- The person's answer: 'noted' or 'cannot', once given.
    answer TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    proposed_at TEXT
);

CREATE INDEX appointments_by_person ON appointments (person_id, status, at);

CREATE INDEX appointments_by_time ON appointments (status, at);

CREATE TABLE reminders (
    id BIGSERIAL PRIMARY KEY,
    -- NULL for a worker's daily list, otherwise the person it is for or about.
    person_id BIGINT REFERENCES persons (id) ON DELETE CASCADE,
    worker_id BIGINT REFERENCES workers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    -- The appointment (or other row) it belongs to, so changing that updates it.
    ref BIGINT,
    due_at TEXT NOT NULL,
    -- After this moment the reminder means nothing any more and is dropped.
    stale_at TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dropped')),
    sent_at TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'pending';

CREATE INDEX reminders_by_person ON reminders (person_id, kind, status);

CREATE TABLE checkins (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    -- The step, and what the person said happened (encrypted: their words).
    step BYTEA NOT NULL,
    progress TEXT,
    learned BYTEA,
    created_at TEXT NOT NULL,
    answered_at TEXT,
    attainment BIGINT
);

CREATE INDEX checkins_by_person ON checkins (person_id, id);

CREATE INDEX persons_last_seen ON persons (last_seen_at);

CREATE TABLE inbox (
    update_id BIGINT PRIMARY KEY,
    lane BIGINT NOT NULL,
    urgent BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    raw BYTEA NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL,
    done_at TEXT
);

CREATE INDEX inbox_waiting ON inbox (lane, urgent DESC, update_id)
    WHERE status IN ('pending', 'refused');

CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;

CREATE TABLE heartbeats (
    name TEXT PRIMARY KEY,
    beat_at TEXT NOT NULL
);

CREATE TABLE key_probe (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    blob BYTEA NOT NULL
);

CREATE TABLE safety_shown (
    account TEXT PRIMARY KEY,
    levels TEXT NOT NULL,
    shown_at TEXT NOT NULL
);

CREATE TABLE safety_held (
    id BIGSERIAL PRIMARY KEY,
    account TEXT NOT NULL UNIQUE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    context TEXT NOT NULL,
    words BYTEA NOT NULL,
    held_at TEXT NOT NULL
);

CREATE TABLE safety_calls (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    worker_id BIGINT NOT NULL REFERENCES workers (id),
    requested_at TEXT NOT NULL,
    follow_up_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledgement TEXT,
    followed_up_at TEXT
);

CREATE INDEX safety_calls_open ON safety_calls (worker_id) WHERE acknowledged_at IS NULL;

CREATE INDEX safety_calls_follow_up ON safety_calls (follow_up_at)
    WHERE acknowledged_at IS NULL AND followed_up_at IS NULL;

CREATE INDEX agreements_accepted ON agreements (answered_at) WHERE status = 'accepted';

CREATE TABLE erasures (
    id BIGSERIAL PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    -- 'person' (/effacer), 'admin' (equipage admin erase), 'retention' (purge),
    -- 'restore' (erased again after a restore).
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
