//! The server's journal: `handoff::ledger::Journal` over SQL, so that the discipline (catch up,
//! decide, append; a number someone else took is refused) is the domain's, not ours.
//!
//! Events are kept for good: a snapshot only shortens the replay. The queries are plain SQL
//! that PostgreSQL reads too (`$1` parameters, `ON CONFLICT`), so a PostgreSQL journal is the
//! same code over another pool.

use handoff::ledger::{AppendError, Journal, Reading};
use handoff_wire::Outcome;
use sqlx::{Row, SqlitePool};

/// Rows that belong to the next append, written in its transaction or not at all.
#[derive(Debug, Clone, Default)]
pub struct Along {
    /// The command's idempotency key: its outcome is stored with its events.
    pub key: Option<Keyed>,
    /// A new chat's token hash.
    pub chat_token: Option<(u32, Vec<u8>)>,
    /// The workspace document and its new version (a change of Chat Assignment).
    pub workspace: Option<(u64, String)>,
}

/// Who used an idempotency key, and for which command (its JSON, the agent already the
/// session's).
#[derive(Debug, Clone)]
pub struct Keyed {
    pub actor: String,
    pub key: String,
    pub command: String,
}

/// The journal in a SQLite database. Clones share the pool.
#[derive(Debug, Clone)]
pub struct SqlJournal {
    pool: SqlitePool,
    along: Along,
    /// Whether a read starts from the snapshot (`false`: from the events alone).
    snapshots: bool,
}

/// What went wrong in the store.
#[derive(Debug)]
pub enum StoreError {
    Sql(sqlx::Error),
    /// A batch that would leave a gap: event `first - 1` is not there.
    Gap {
        first: u64,
    },
    /// A number that does not fit the journal's (negative, or past `i64::MAX`).
    Number(i64),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sql(error) => write!(f, "the database: {error}"),
            StoreError::Gap { first } => write!(f, "event {first} would follow a missing event"),
            StoreError::Number(number) => write!(f, "the journal holds the number {number}"),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        StoreError::Sql(error)
    }
}

fn number(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Number(value))
}

fn sql_number(value: u64) -> i64 {
    // Numbers count events; nothing appends 2^63 of them.
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl SqlJournal {
    pub fn new(pool: SqlitePool) -> SqlJournal {
        SqlJournal { pool, along: Along::default(), snapshots: true }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The same journal, writing `along` in the transaction of its next append.
    pub fn with(&self, along: Along) -> SqlJournal {
        SqlJournal { pool: self.pool.clone(), along, snapshots: self.snapshots }
    }

    /// The same journal read as though it held no snapshot: every event from the first. For a
    /// workspace the snapshot does not fit; the events are kept for good, so none is missing.
    pub fn without_snapshot(&self) -> SqlJournal {
        SqlJournal { snapshots: false, ..self.clone() }
    }

    async fn append_in_one_transaction(&self, first: u64, events: &[Vec<u8>]) -> Result<(), AppendError<StoreError>> {
        let storage = |error: sqlx::Error| AppendError::Storage(StoreError::Sql(error));
        let mut transaction = self.pool.begin().await.map_err(storage)?;
        // The first statement writes, so SQLite takes its write lock at once.
        for (offset, record) in events.iter().enumerate() {
            let at = first + offset as u64;
            let inserted = sqlx::query("INSERT INTO events (number, record) VALUES ($1, $2)")
                .bind(sql_number(at))
                .bind(record.as_slice())
                .execute(&mut *transaction)
                .await;
            match inserted {
                Ok(_) => {}
                Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                    return Err(AppendError::Taken { number: at });
                }
                Err(error) => return Err(storage(error)),
            }
        }
        if first > 0 {
            let before = sqlx::query("SELECT 1 FROM events WHERE number = $1")
                .bind(sql_number(first - 1))
                .fetch_optional(&mut *transaction)
                .await
                .map_err(storage)?;
            if before.is_none() {
                return Err(AppendError::Storage(StoreError::Gap { first }));
            }
        }
        if let Some(keyed) = &self.along.key {
            let outcome = Outcome::Accepted { first, count: events.len() as u64 };
            store_outcome(&mut transaction, keyed, 200, &outcome).await.map_err(storage)?;
        }
        if let Some((chat, hash)) = &self.along.chat_token {
            store_chat_token(&mut transaction, *chat, hash).await.map_err(storage)?;
        }
        if let Some((version, document)) = &self.along.workspace {
            sqlx::query("UPDATE workspace SET version = $1, document = $2 WHERE id = 0")
                .bind(sql_number(*version))
                .bind(document)
                .execute(&mut *transaction)
                .await
                .map_err(storage)?;
        }
        transaction.commit().await.map_err(storage)
    }
}

/// Stores a command's outcome under its key (in the caller's transaction).
pub async fn store_outcome(
    connection: &mut sqlx::SqliteConnection,
    keyed: &Keyed,
    status: u16,
    outcome: &Outcome,
) -> Result<(), sqlx::Error> {
    let outcome = serde_json::to_string(outcome).unwrap_or_default();
    sqlx::query("INSERT INTO commands (actor, key, command, status, outcome) VALUES ($1, $2, $3, $4, $5)")
        .bind(&keyed.actor)
        .bind(&keyed.key)
        .bind(&keyed.command)
        .bind(i64::from(status))
        .bind(outcome)
        .execute(connection)
        .await
        .map(drop)
}

/// Puts a snapshot taken before event `next` in place of the stored one, even one that ends
/// later (in the caller's transaction): for a snapshot that does not fit the workspace.
pub async fn replace_snapshot(
    connection: &mut sqlx::SqliteConnection,
    next: u64,
    state: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO snapshots (id, next, state) VALUES (0, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET next = excluded.next, state = excluded.state",
    )
    .bind(sql_number(next))
    .bind(state)
    .execute(connection)
    .await
    .map(drop)
}

async fn store_chat_token(connection: &mut sqlx::SqliteConnection, chat: u32, hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO chat_tokens (chat, token_hash) VALUES ($1, $2)")
        .bind(i64::from(chat))
        .bind(hash)
        .execute(connection)
        .await
        .map(drop)
}

impl Journal for SqlJournal {
    type Error = StoreError;

    async fn read(&self, from: u64) -> Result<Reading, StoreError> {
        let mut transaction = self.pool.begin().await?;
        let snapshot = match self.snapshots {
            true => {
                sqlx::query("SELECT next, state FROM snapshots WHERE id = 0 AND next > $1")
                    .bind(sql_number(from))
                    .fetch_optional(&mut *transaction)
                    .await?
            }
            false => None,
        };
        let snapshot = match snapshot {
            Some(row) => Some((number(row.try_get("next")?)?, row.try_get::<Vec<u8>, _>("state")?)),
            None => None,
        };
        let start = snapshot.as_ref().map_or(from, |(next, _)| from.max(*next));
        let rows = sqlx::query("SELECT number, record FROM events WHERE number >= $1 ORDER BY number")
            .bind(sql_number(start))
            .fetch_all(&mut *transaction)
            .await?;
        transaction.commit().await?;
        let events = rows
            .iter()
            .map(|row| Ok((number(row.try_get("number")?)?, row.try_get::<Vec<u8>, _>("record")?)))
            .collect::<Result<_, StoreError>>()?;
        Ok(Reading { snapshot, events })
    }

    async fn append(&self, first: u64, events: &[Vec<u8>]) -> Result<(), AppendError<StoreError>> {
        self.append_in_one_transaction(first, events).await
    }

    async fn write_snapshot(&self, next: u64, state: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO snapshots (id, next, state) VALUES (0, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET next = excluded.next, state = excluded.state \
             WHERE excluded.next > snapshots.next",
        )
        .bind(sql_number(next))
        .bind(state)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
