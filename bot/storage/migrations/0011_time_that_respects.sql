-- Time that respects the person: quiet-hour bounds at any minute, GAS answers on check-ins.
-- The minutes of the bounds (quiet_from and quiet_until stay whole hours, read as hh:00
-- until a minute is set), so existing settings keep their meaning.
ALTER TABLE persons ADD COLUMN quiet_from_minute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE persons ADD COLUMN quiet_until_minute INTEGER NOT NULL DEFAULT 0;
-- Goal attainment scaling on a step: -2 (much less than expected) … +2 (much better).
ALTER TABLE checkins ADD COLUMN attainment INTEGER;
-- "Je ne peux pas": the other moment the person proposed, if any.
ALTER TABLE appointments ADD COLUMN proposed_at TEXT;
-- Agreed steps get a check-in: the reminder scan looks for recent acceptances.
CREATE INDEX agreements_accepted ON agreements (answered_at) WHERE status = 'accepted';
