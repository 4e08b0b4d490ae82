-- Workers' quiet hours, like the persons' (0006, 0011): non-urgent messages to a worker
-- (digests, summary and agreement notices, appointment answers) wait for their allowed
-- hours; a safety call request always goes at once. Defaults: 20h → 8h, and Sunday.
ALTER TABLE workers ADD COLUMN quiet_from INTEGER NOT NULL DEFAULT 20;
ALTER TABLE workers ADD COLUMN quiet_from_minute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN quiet_until INTEGER NOT NULL DEFAULT 8;
ALTER TABLE workers ADD COLUMN quiet_until_minute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workers ADD COLUMN quiet_sunday INTEGER NOT NULL DEFAULT 1;
