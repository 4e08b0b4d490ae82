-- The retention purge looks for persons silent for two years: an index, not a table scan
-- (at 100,000 persons the scan held the storage for ~20 ms at every start and once a day).
CREATE INDEX persons_last_seen ON persons (last_seen_at);
