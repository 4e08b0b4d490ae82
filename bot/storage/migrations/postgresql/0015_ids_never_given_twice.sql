-- Twin of SQLite's 0015. PostgreSQL's id sequences never give an id twice, so nothing here
-- raises this table; it exists so both schemas hold the same tables (`equipage admin
-- move-to-postgresql` copies it, and a later move back would need it).
CREATE TABLE id_high_water (
    name TEXT PRIMARY KEY,
    highest BIGINT NOT NULL
);
