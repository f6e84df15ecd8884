-- Which journal this database holds: eight random bytes drawn once, when the database is
-- created (or, for a database made before this table, when it is brought up to date). Every
-- position a socket states is counted in it, so a tab's position in one journal is never taken
-- for the same number in another (a data folder made anew, another server at the same address).
CREATE TABLE journal_id (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    value BLOB NOT NULL CHECK (length(value) = 8)
);
INSERT INTO journal_id (id, value) VALUES (0, randomblob(8));
