-- Agreements become a list of steps, each with who and when.
-- `steps` now holds encrypted JSON ([{"what", "who", "when"}, …]) when steps_format = 2;
-- rounds written before hold one encrypted text (steps_format = 1), read as a single step.
ALTER TABLE agreements ADD COLUMN steps_format INTEGER NOT NULL DEFAULT 1;
-- What a round changed in the one before (encrypted JSON); NULL for a whole proposal.
ALTER TABLE agreements ADD COLUMN change BLOB;
