-- Who was erased, when and how: an opaque token per person, never a name, account or words.
-- The same tokens are also kept in a file beside the database (equipage.erased), outside
-- every backup: after a restore, the persons erased since are erased again at start-up.
CREATE TABLE erasures (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    -- 'person' (/effacer), 'admin' (equipage admin erase), 'retention' (purge),
    -- 'restore' (erased again after a restore).
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
