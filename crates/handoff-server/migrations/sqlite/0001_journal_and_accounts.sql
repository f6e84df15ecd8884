-- The journal: every accepted command's events, numbered from 0 without gaps, never dropped.
-- A number another writer took first fails the primary key, which refuses the whole batch.
CREATE TABLE events (
    number INTEGER PRIMARY KEY,
    record BLOB NOT NULL
);

-- The latest snapshot of the engine's state, taken before event `next`; the events stay.
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    next INTEGER NOT NULL,
    state BLOB NOT NULL
);

-- The workspace (teamspace, teams, agents, AI agent, workflow) as handoff's JSON document,
-- with the version an edit names, and the seed of the engine's random draws.
CREATE TABLE workspace (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    seed INTEGER NOT NULL
);

-- Argon2id hashes (PHC strings) only.
CREATE TABLE passwords (
    agent INTEGER PRIMARY KEY,
    hash TEXT NOT NULL
);

-- Sessions by the SHA-256 of their cookie's token; the token itself is never stored.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    agent INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_agent ON sessions (agent);

-- Each customer chat's token, as its SHA-256.
CREATE TABLE chat_tokens (
    chat INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL
);

-- Idempotency keys: what a command's key was used for and how it ended. An accepted command's
-- row is written in the transaction of its events, so a key never stands for half a command.
CREATE TABLE commands (
    actor TEXT NOT NULL,
    key TEXT NOT NULL,
    command TEXT NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (actor, key)
);
