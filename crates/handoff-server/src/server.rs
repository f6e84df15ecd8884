//! The running server's state: the database, the engine kept in step with the journal
//! (`handoff::ledger`), the workspace and its version, the writers' lock that makes every
//! decision one at a time, the turns at Argon2 and the rate limits.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::broadcast;

use axum::http::StatusCode;
use handoff::ledger::{self, Damaged, Ledger, Refusal, Saved};
use handoff::viewer::{self, Viewer};
use handoff::workspace::Role;
use handoff::{AgentId, ChatId, Command, Engine, Event, Language, Rejection, Timestamp, Workspace};
use handoff_wire::{JournalId, Outcome};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::journal::{Along, Keyed, SqlJournal, StoreError, replace_snapshot, store_outcome};
use crate::limits::RateLimits;
use crate::listeners::{Listeners, Ticket};
use crate::secret;

/// How the server is set up, apart from where its data is.
#[derive(Debug, Clone)]
pub struct Config {
    /// The server's own origin (`http://127.0.0.1:8080`): writes authorised by the session
    /// cookie must come from it.
    pub origin: String,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// How long a session lasts from sign-in.
    pub session_lifetime: Duration,
    /// Sign-in and setup attempts per client address: this many at once ...
    pub sign_in_burst: u32,
    /// ... and one more after each such period.
    pub sign_in_period: Duration,
    /// Chats started (`POST /api/chats`, open to anyone) per client address: this many at once ...
    pub start_chat_burst: u32,
    /// ... and one more after each such period.
    pub start_chat_period: Duration,
    /// How many events the journal takes before a snapshot of the engine's state is written
    /// (a start replays at most this many).
    pub snapshot_every: u64,
    /// How many Argon2 hashings or verifications run at once (each takes 19 MiB and a core for
    /// a while), so that a burst of sign-ins cannot exhaust memory or the processor ...
    pub hashing_at_once: usize,
    /// ... and how long a request waits for a turn before it is answered 503.
    pub hashing_wait: Duration,
    /// A socket tells what its viewer sees at most this often (`socket.rs`).
    pub urgent_gap: Duration,
    /// ... and catches up on the rest (other agents' load) this often, plus its own share of it.
    pub idle_gap: Duration,
    /// How often a socket is pinged (and a staff session checked); a client that sends nothing,
    /// not even a pong, for three of these is closed (`socket::SILENT_PINGS`).
    pub ping_every: Duration,
    /// How long a socket's client may take to accept a frame before the socket is closed.
    pub send_within: Duration,
    /// How many sockets one client address may hold open; more are refused with 429.
    pub sockets_per_address: usize,
    /// A customer's commands in their chat (`POST /api/chats/{chat}/commands`, each up to
    /// `api::MAX_TEXT_CHARS` characters): this many at once ...
    pub chat_command_burst: u32,
    /// ... and one more after each such period; past that 429, and nothing is stored.
    pub chat_command_period: Duration,
}

impl Config {
    pub fn new(origin: impl Into<String>) -> Config {
        Config {
            origin: origin.into(),
            body_limit: 512 * 1024,
            session_lifetime: Duration::from_secs(12 * 60 * 60),
            sign_in_burst: 5,
            sign_in_period: Duration::from_secs(12),
            start_chat_burst: 10,
            start_chat_period: Duration::from_secs(6),
            snapshot_every: ledger::EVENTS_PER_SNAPSHOT,
            hashing_at_once: 2,
            hashing_wait: Duration::from_secs(10),
            urgent_gap: Duration::from_millis(100),
            idle_gap: Duration::from_secs(1),
            ping_every: Duration::from_secs(30),
            send_within: Duration::from_secs(10),
            // A person's tabs, or an office behind one address: far above one person's need,
            // far below what would let one address hold the server's memory.
            sockets_per_address: 256,
            // A person types a message every few seconds at most: twenty at once (a paste, a
            // widget that sends what it held while offline), then four a second, keeps anyone
            // typing unhindered and one token from filling the journal at will.
            chat_command_burst: 20,
            chat_command_period: Duration::from_millis(250),
        }
    }

    /// Cookies are marked `Secure` when the server is reached over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.origin.starts_with("https://")
    }
}

/// What went wrong when starting.
#[derive(Debug)]
pub enum StartError {
    Database(sqlx::Error),
    Migration(sqlx::migrate::MigrateError),
    /// The stored workspace cannot be read.
    Workspace(String),
    Journal(String),
    Random(getrandom::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Database(error) => write!(f, "the database cannot be opened: {error}"),
            StartError::Migration(error) => write!(f, "the database cannot be brought up to date: {error}"),
            StartError::Workspace(error) => write!(f, "the stored workspace cannot be read: {error}"),
            StartError::Journal(error) => write!(f, "the journal cannot be read: {error}"),
            StartError::Random(error) => write!(f, "no random numbers: {error}"),
        }
    }
}

impl std::error::Error for StartError {}

/// A started server, and the demo passwords when it seeded the demo workspace.
#[derive(Debug)]
pub struct Started {
    pub state: AppState,
    /// Each live agent's name and generated password, to print once.
    pub demo_passwords: Vec<(String, String)>,
}

/// The workspace in force and its version.
#[derive(Debug, Clone)]
struct Current {
    version: u64,
    workspace: Workspace,
    seed: u64,
}

/// The engine built on a workspace from the journal, and what its replay met.
struct Rebuilt {
    ledger: Ledger,
    /// The first record that cannot be replayed under the workspace: nothing is decided after it.
    damaged: Option<Damaged>,
    /// The state after every event, to store in place of a snapshot that did not fit.
    replacement: Option<(u64, Vec<u8>)>,
}

impl Rebuilt {
    /// Builds the engine on `workspace` from the latest snapshot and the events after it
    /// (`ledger::open`, as the browser does). A snapshot that does not fit the workspace (its
    /// agents are not the workspace's after an edit or the setup, or it cannot be read) is no
    /// damage here: the journal keeps every event, so the engine is built from the first one
    /// instead, and that state is to replace the snapshot.
    async fn from_journal(
        journal: &SqlJournal,
        workspace: Workspace,
        seed: u64,
        snapshot_every: u64,
    ) -> Result<Rebuilt, StoreError> {
        let (ledger, damaged) = ledger::open(workspace.clone(), seed, journal).await?;
        let (ledger, damaged, replacement) = match damaged {
            Some(misfit) if misfit.at == Saved::Snapshot => {
                tracing::info!(%misfit, "the saved snapshot does not fit the workspace: every event is replayed");
                let (ledger, damaged) = ledger::open(workspace, seed, &journal.without_snapshot()).await?;
                let replacement =
                    damaged.is_none().then(|| (ledger.position(), handoff::state_to_bytes(ledger.engine().state())));
                (ledger, damaged, replacement)
            }
            damaged => (ledger, damaged, None),
        };
        Ok(Rebuilt { ledger: ledger.with_snapshots_every(snapshot_every), damaged, replacement })
    }

    /// Stores the replacement snapshot, when there is one (in the caller's transaction, with the
    /// workspace it fits).
    async fn replace_snapshot(&mut self, connection: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        if let Some((next, state)) = self.replacement.take() {
            replace_snapshot(connection, next, &state).await?;
            self.ledger.snapshot_written(next);
        }
        Ok(())
    }
}

#[derive(Debug)]
struct Inner {
    pool: SqlitePool,
    journal: SqlJournal,
    /// Read by any request and socket; changed only under `writer`, whose decision holds its
    /// write guard from the catch-up to the settle, so a reader never sees events the journal
    /// does not hold. `tokio`'s lock is fair: a writer waits for the readers already in, not
    /// for every socket that comes after it.
    ledger: tokio::sync::RwLock<Ledger>,
    current: Mutex<Current>,
    /// The writers' lock: one decision at a time (commands, workspace edits, setup).
    writer: tokio::sync::Mutex<()>,
    /// Turns at Argon2 (`Config::hashing_at_once`).
    hashing: Arc<Semaphore>,
    limits: RateLimits,
    /// What every socket hears: a new workspace, ended sessions.
    feed: broadcast::Sender<Feed>,
    /// The open sockets by viewer, and the recent batches they catch up from.
    listeners: Mutex<Listeners>,
    /// Which journal the database holds, drawn when it was created (`migrations/sqlite`).
    journal_id: JournalId,
    config: Config,
}

/// What every socket hears (`socket.rs`); committed batches go through `Listeners` instead,
/// which wakes only the sockets they concern.
#[derive(Debug, Clone)]
pub enum Feed {
    /// A new workspace is in force, and the engine was built again on it.
    Workspace { version: u64 },
    /// Sessions were ended: their token hashes, sorted. Every way a session ends says so here
    /// (signing out here or everywhere, a password reset, the agent removed, expiry, a sign-in
    /// over its cookie), so sockets close at once without asking the database.
    SessionsEnded { token_hashes: Arc<[Vec<u8>]> },
}

/// How many feed items a socket may fall behind before it is sent a whole view again.
const FEED_CAPACITY: usize = 64;

/// The server's state, shared by every request. Clones share it.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// Runs a decision to its end on its own task: a request whose client goes away drops its
/// handler's future, and a decision cut off after its commit (while its snapshot is written, or
/// before its batch reaches the sockets, or its workspace is installed) would leave the sockets
/// or the engine behind the journal.
async fn detached<T: Send + 'static, E: From<ApiError> + Send + 'static>(
    work: impl std::future::Future<Output = Result<T, E>> + Send + 'static,
) -> Result<T, E> {
    tokio::spawn(work).await.map_err(|error| E::from(ApiError::internal(error)))?
}

/// Milliseconds since 1970, the engine's time on the server.
pub fn now() -> Timestamp {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp(u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
}

/// The database file in a data folder.
pub const DATABASE_FILE: &str = "handoff.sqlite";

/// The workspace of an empty database: the starter workflow and teams, and no live agent, so
/// that the first admin is whoever sets up the server.
fn first_workspace() -> Workspace {
    let mut workspace = handoff::starter_workspace();
    let agents: Vec<AgentId> = workspace.teamspace.agents.iter().map(|agent| agent.id).collect();
    for agent in agents {
        // Removing an agent of the starter workspace always succeeds.
        let _ = handoff::teamspace_edit::remove_agent(&mut workspace, agent);
    }
    workspace
}

fn seed_to_sql(seed: u64) -> i64 {
    i64::from_ne_bytes(seed.to_ne_bytes())
}

fn seed_from_sql(seed: i64) -> u64 {
    u64::from_ne_bytes(seed.to_ne_bytes())
}

pub fn workspace_value(workspace: &Workspace) -> serde_json::Value {
    serde_json::from_str(&handoff::workspace_to_json(workspace)).unwrap_or_default()
}

/// The status a refusal is answered with.
pub fn rejection_status(rejection: &Rejection) -> StatusCode {
    match rejection {
        Rejection::UnknownAgent { .. } | Rejection::UnknownTeam { .. } | Rejection::UnknownChat { .. } => {
            StatusCode::NOT_FOUND
        }
        Rejection::NotAdmin { .. } => StatusCode::FORBIDDEN,
        Rejection::ChatExists { .. }
        | Rejection::AlreadyYours { .. }
        | Rejection::NotTheChatSeen { .. }
        | Rejection::AlreadyTaken { .. }
        | Rejection::StaleVersion { .. }
        | Rejection::NotPending { .. }
        | Rejection::NotAssignee { .. }
        | Rejection::NotWithLiveAgent { .. }
        | Rejection::NotAskingForFeedback { .. }
        | Rejection::SameAgent { .. } => StatusCode::CONFLICT,
        Rejection::UnsupportedLanguage { .. }
        | Rejection::EmptyMessage
        | Rejection::NotSignedIn { .. }
        | Rejection::NotOnline { .. }
        | Rejection::NotEligible { .. }
        | Rejection::Away { .. }
        | Rejection::RatingOutOfRange { .. } => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A command's answer: its status and outcome, and whether it is a stored one given again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    pub outcome: Outcome,
    pub replayed: bool,
}

impl AppState {
    /// Opens (or creates) the database in `data`, brings it up to date, and rebuilds the
    /// engine from its journal. With `demo`, an empty database gets the starter workspace and
    /// a generated password for each of its live agents.
    pub async fn open(data: &Path, config: Config, demo: bool) -> Result<Started, StartError> {
        std::fs::create_dir_all(data).map_err(|error| StartError::Database(sqlx::Error::Io(error)))?;
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(StartError::Database)?
            .filename(data.join(DATABASE_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool =
            SqlitePoolOptions::new().max_connections(4).connect_with(options).await.map_err(StartError::Database)?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await.map_err(StartError::Migration)?;
        let journal_id: Vec<u8> = sqlx::query_scalar("SELECT value FROM journal_id WHERE id = 0")
            .fetch_one(&pool)
            .await
            .map_err(StartError::Database)?;
        let journal_id = <[u8; 8]>::try_from(journal_id.as_slice())
            .map(|bytes| JournalId(u64::from_le_bytes(bytes)))
            .map_err(|_| StartError::Journal("the journal's id is not eight bytes".to_owned()))?;

        let stored = sqlx::query("SELECT version, document, seed FROM workspace WHERE id = 0")
            .fetch_optional(&pool)
            .await
            .map_err(StartError::Database)?;
        let mut demo_passwords = Vec::new();
        let current = match stored {
            Some(row) => {
                let version: i64 = row.try_get("version").map_err(StartError::Database)?;
                let document: String = row.try_get("document").map_err(StartError::Database)?;
                let seed: i64 = row.try_get("seed").map_err(StartError::Database)?;
                let workspace =
                    handoff::load_workspace(&document).map_err(|error| StartError::Workspace(error.to_string()))?;
                if demo {
                    tracing::warn!("the database holds a workspace already: --demo seeds only an empty one");
                }
                Current { version: u64::try_from(version).unwrap_or(0), workspace, seed: seed_from_sql(seed) }
            }
            None => {
                let mut seed = [0u8; 8];
                getrandom::fill(&mut seed).map_err(StartError::Random)?;
                let seed = u64::from_ne_bytes(seed);
                let workspace = if demo { handoff::starter_workspace() } else { first_workspace() };
                let mut transaction = pool.begin().await.map_err(StartError::Database)?;
                sqlx::query("INSERT INTO workspace (id, version, document, seed) VALUES (0, 1, $1, $2)")
                    .bind(handoff::workspace_to_json(&workspace))
                    .bind(seed_to_sql(seed))
                    .execute(&mut *transaction)
                    .await
                    .map_err(StartError::Database)?;
                if demo {
                    for agent in &workspace.teamspace.agents {
                        let password = secret::random_hex(10).map_err(StartError::Random)?;
                        let hash = secret::hash_password(&password).map_err(StartError::Workspace)?;
                        sqlx::query("INSERT INTO passwords (agent, hash) VALUES ($1, $2)")
                            .bind(i64::from(agent.id.0))
                            .bind(hash)
                            .execute(&mut *transaction)
                            .await
                            .map_err(StartError::Database)?;
                        demo_passwords.push((agent.name.clone(), password));
                    }
                }
                transaction.commit().await.map_err(StartError::Database)?;
                Current { version: 1, workspace, seed }
            }
        };

        let journal = SqlJournal::new(pool.clone());
        let mut rebuilt =
            Rebuilt::from_journal(&journal, current.workspace.clone(), current.seed, config.snapshot_every)
                .await
                .map_err(|error| StartError::Journal(error.to_string()))?;
        if let Some(damaged) = &rebuilt.damaged {
            tracing::error!(%damaged, "the journal holds a record that cannot be replayed: nothing is decided after it");
        }
        let mut connection = pool.acquire().await.map_err(StartError::Database)?;
        rebuilt.replace_snapshot(&mut connection).await.map_err(StartError::Database)?;
        drop(connection);
        let ledger = rebuilt.ledger;
        tracing::info!(events = ledger.position(), version = current.version, "the engine is rebuilt from the journal");
        let inner = Inner {
            pool,
            journal,
            ledger: tokio::sync::RwLock::new(ledger),
            current: Mutex::new(current),
            writer: tokio::sync::Mutex::new(()),
            hashing: Arc::new(Semaphore::new(config.hashing_at_once.max(1))),
            limits: RateLimits::new(&config),
            feed: broadcast::channel(FEED_CAPACITY).0,
            listeners: Mutex::new(Listeners::default()),
            journal_id,
            config,
        };
        Ok(Started { state: AppState { inner: Arc::new(inner) }, demo_passwords })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Which journal the database holds: every position a socket states is counted in it.
    pub fn journal_id(&self) -> JournalId {
        self.inner.journal_id
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.inner.pool
    }

    /// The rate limits per client address, which `app` puts in front of their endpoints.
    pub fn rate_limits(&self) -> &RateLimits {
        &self.inner.limits
    }

    /// Forgets the client addresses whose allowance is full again, so that the rate limits'
    /// memory does not grow with every address that ever came; how many are still held. The
    /// binary runs it every minute.
    pub fn forget_idle_clients(&self) -> usize {
        self.inner.limits.forget_idle_clients()
    }

    /// A turn at Argon2, waited for up to `Config::hashing_wait`; refused as 503 in words after
    /// that, so that a sign-in is not left hanging. Held while the hashing runs.
    pub async fn hashing_turn(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        let turn = tokio::time::timeout(self.inner.config.hashing_wait, self.inner.hashing.clone().acquire_owned());
        match turn.await {
            Ok(Ok(turn)) => Ok(turn),
            // The semaphore is never closed.
            Ok(Err(closed)) => Err(ApiError::internal(closed)),
            Err(_) => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The server is busy checking passwords: try again in a moment.",
            )),
        }
    }

    /// Runs `hashing` (Argon2) on the blocking threads in a turn of its own. The turn goes with
    /// it, so a request whose client leaves does not give it back before the hashing ends.
    pub async fn hash<R: Send + 'static>(&self, hashing: impl FnOnce() -> R + Send + 'static) -> Result<R, ApiError> {
        let turn = self.hashing_turn().await?;
        tokio::task::spawn_blocking(move || {
            let result = hashing();
            drop(turn);
            result
        })
        .await
        .map_err(ApiError::internal)
    }

    /// Reads the engine as the journal holds it: while a decision is on its way, after it.
    pub async fn read<R>(&self, work: impl FnOnce(&Engine) -> R) -> R {
        work(self.inner.ledger.read().await.engine())
    }

    /// Reads the engine and the position it stands at, at one moment, as the journal holds
    /// them; every batch up to that position has reached the listeners (they are told under
    /// the decision's write guard).
    pub async fn read_at<R>(&self, work: impl FnOnce(&Engine, u64) -> R) -> R {
        let ledger = self.inner.ledger.read().await;
        work(ledger.engine(), ledger.position())
    }

    /// Listens to what happens from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Feed> {
        self.inner.feed.subscribe()
    }

    /// Tells every socket (none listening is fine).
    pub fn publish(&self, feed: Feed) {
        let _ = self.inner.feed.send(feed);
    }

    /// The engine was built again: what each watched agent may see is worked out again, and
    /// every socket is sent the workspace and a whole view. Under the ledger's write guard.
    fn publish_rebuilt(&self, engine: &Engine) {
        self.inner.listeners.lock().unwrap_or_else(PoisonError::into_inner).rebuilt(engine);
        let version = self.inner.current.lock().unwrap_or_else(PoisonError::into_inner).version;
        self.publish(Feed::Workspace { version });
    }

    /// Tells the sockets of these sessions that they ended (none is fine).
    pub fn sessions_ended(&self, mut token_hashes: Vec<Vec<u8>>) {
        if !token_hashes.is_empty() {
            token_hashes.sort_unstable();
            self.publish(Feed::SessionsEnded { token_hashes: token_hashes.into() });
        }
    }

    /// Registers a socket of `viewer`: notified of the batches that concern it.
    pub async fn listen(&self, viewer: Viewer) -> Ticket {
        let ledger = self.inner.ledger.read().await;
        self.inner.listeners.lock().unwrap_or_else(PoisonError::into_inner).join(ledger.engine(), viewer)
    }

    pub fn stop_listening(&self, ticket: &Ticket) {
        self.inner.listeners.lock().unwrap_or_else(PoisonError::into_inner).leave(ticket);
    }

    /// How many sockets are open.
    pub fn sockets(&self) -> usize {
        self.inner.listeners.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// The journal's position after the latest batch, as far as sockets know.
    pub fn latest_batch(&self) -> Option<u64> {
        self.inner.listeners.lock().unwrap_or_else(PoisonError::into_inner).latest()
    }

    /// The batches committed after position `after` and the position after them; `None` when
    /// they are no longer all kept.
    pub fn batches_since(&self, after: u64) -> Option<(Vec<Arc<[Event]>>, u64)> {
        self.inner.listeners.lock().unwrap_or_else(PoisonError::into_inner).since(after)
    }

    /// How many events the journal holds, as far as the engine has read it.
    pub async fn position(&self) -> u64 {
        self.inner.ledger.read().await.position()
    }

    /// The workspace in force and its version.
    pub fn workspace(&self) -> (u64, Workspace) {
        let current = self.inner.current.lock().unwrap_or_else(PoisonError::into_inner);
        (current.version, current.workspace.clone())
    }

    /// Runs `command` under the writers' lock: catch up, decide, append (the domain's
    /// `ledger::handle`). With a key, a key used before answers with its stored outcome and
    /// applies nothing; a new key's outcome is stored with the command's events, in their
    /// transaction, and so is `chat_token` (a new chat's number and token hash).
    pub async fn run(
        &self,
        keyed: Option<Keyed>,
        chat_token: Option<(u32, Vec<u8>)>,
        command: Command,
    ) -> Result<Answer, ApiError> {
        let this = self.clone();
        detached(async move {
            let _writer = this.inner.writer.lock().await;
            this.run_locked(keyed, chat_token, command, true, None).await
        })
        .await
    }

    /// `run` for a viewer's own command (a signed-in agent's, a customer's): refused unless
    /// the viewer may send it (`handoff::viewer::authorize`, decided under the writers' lock
    /// on the state it will be decided on), and a refusal never tells of a chat the viewer may
    /// not see (`viewer::rejection_for`).
    pub async fn run_as(&self, viewer: Viewer, keyed: Keyed, command: Command) -> Result<Answer, ApiError> {
        let this = self.clone();
        detached(async move { this.run_as_now(viewer, keyed, command).await }).await
    }

    async fn run_as_now(&self, viewer: Viewer, keyed: Keyed, command: Command) -> Result<Answer, ApiError> {
        let _writer = self.inner.writer.lock().await;
        if let Some(answer) = self.stored_answer(&keyed).await? {
            return Ok(answer);
        }
        // What does not depend on the conversations (a command of the other side, in another
        // agent's name, from an agent the teamspace no longer has) is refused at once, in words,
        // and not stored. What does (a chat the viewer may not see, or no such chat; not an
        // admin) is decided in the decision, on the state caught up from the journal
        // (`run_locked`), never on an older one: another instance may have started the chat.
        let forbidden = self.read(|engine| viewer::authorize(engine, viewer, &command).err()).await;
        if let Some(forbidden) = forbidden
            && forbidden.as_rejection().is_none()
        {
            let (_, workspace) = self.workspace();
            return Err(ApiError::forbidden(forbidden.in_words(&workspace)));
        }
        self.run_locked(Some(keyed), None, command, true, Some(viewer)).await
    }

    /// A refusal's answer, stored under its key when it has one.
    async fn refused(
        &self,
        keyed: Option<&Keyed>,
        workspace: &Workspace,
        rejection: Rejection,
    ) -> Result<Answer, ApiError> {
        let message = rejection.in_words(workspace);
        let status = rejection_status(&rejection);
        let outcome = Outcome::Refused { message, rejection };
        if let Some(keyed) = keyed {
            let mut connection = self.inner.pool.acquire().await?;
            store_outcome(&mut connection, keyed, status.as_u16(), &outcome).await?;
        }
        Ok(Answer { status, outcome, replayed: false })
    }

    /// Starts a customer's chat in `language`, its token kept as `token_hash`: its number is the
    /// next free one, picked under the writers' lock, so two chats started at once never pick
    /// the same. The number and the command's answer. Run to its end on its own task
    /// (`detached`), as every decision is: a customer who leaves mid-append cannot leave the
    /// engine holding a chat the journal may not.
    pub async fn start_chat(&self, language: Language, token_hash: Vec<u8>) -> Result<(ChatId, Answer), ApiError> {
        let this = self.clone();
        detached(async move { this.start_chat_now(language, token_hash).await }).await
    }

    async fn start_chat_now(&self, language: Language, token_hash: Vec<u8>) -> Result<(ChatId, Answer), ApiError> {
        let _writer = self.inner.writer.lock().await;
        // Only another server instance on the same database takes a number meanwhile; the
        // refusal (`ChatExists`) then comes after a catch-up, so the next pick is free.
        for _ in 0..3 {
            let last = self.read(|engine| engine.state().chats.keys().map(|chat| chat.0).max().unwrap_or(0)).await;
            let Some(next) = last.checked_add(1) else {
                return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "This server has no chat numbers left."));
            };
            let chat = ChatId(next);
            let command = Command::StartChat { chat, language: language.clone() };
            let answer = self.run_locked(None, Some((next, token_hash.clone())), command, true, None).await?;
            match answer.outcome {
                Outcome::Refused { rejection: Rejection::ChatExists { .. }, .. } => continue,
                _ => return Ok((chat, answer)),
            }
        }
        Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "Chats are being started too fast; try again."))
    }

    /// `run` under the writers' lock; `save_assignment` is false when the workspace holds the
    /// Chat Assignment already; a `viewer`'s refusals are masked (`viewer::rejection_for`).
    async fn run_locked(
        &self,
        keyed: Option<Keyed>,
        chat_token: Option<(u32, Vec<u8>)>,
        command: Command,
        save_assignment: bool,
        viewer: Option<Viewer>,
    ) -> Result<Answer, ApiError> {
        if let Some(keyed) = &keyed
            && let Some(answer) = self.stored_answer(keyed).await?
        {
            return Ok(answer);
        }
        // A change of Chat Assignment is saved in the workspace too, with its events, so that
        // the engine built again on the workspace keeps it.
        let (version, mut workspace, seed) = {
            let current = self.inner.current.lock().unwrap_or_else(PoisonError::into_inner);
            (current.version, current.workspace.clone(), current.seed)
        };
        let assignment = match &command {
            Command::SetAssignment { assignment, .. } if save_assignment => Some(*assignment),
            _ => None,
        };
        let mut along = Along { key: keyed.clone(), chat_token, workspace: None };
        if let Some(assignment) = assignment {
            workspace.teamspace.assignment = assignment;
            along.workspace = Some((version + 1, handoff::workspace_to_json(&workspace)));
        }
        let journal = self.inner.journal.with(along);
        let asked = viewer.map(|viewer| (viewer, command.clone()));
        // A viewer's command is authorised on the state it is decided on, after the catch-up.
        let refuse = |engine: &Engine| {
            let (viewer, command) = asked.as_ref()?;
            viewer::authorize(engine, *viewer, command).err()?.as_rejection()
        };
        // The write guard is held from the catch-up to the settle, and until the sockets are
        // told: no reader sees the decision's events before the journal holds them.
        let mut ledger = self.inner.ledger.write().await;
        let shared = std::sync::Mutex::new(&mut *ledger);
        let handled = ledger::handle_checked(&shared, &journal, now(), command, refuse).await;
        match &handled {
            // A refused append whose catch-up could not read the journal leaves the engine
            // holding its events: rebuilt from the journal before anyone reads it again, and
            // every socket sent a whole view.
            _ if ledger.is_stale() => self.rebuild_while_stale(&mut ledger).await,
            Ok(handled) => self.publish_told(&ledger, &handled.earlier, &handled.events),
            // Other writers' events caught up are the journal's whatever became of the command.
            Err(refused) => self.publish_told(&ledger, &refused.earlier, &[]),
        }
        // A change of Chat Assignment is committed with its workspace: that workspace is in
        // force from now on, with nothing left to read or to fail (the engine holds the change).
        if let (Ok(handled), Some(assignment)) = (&handled, assignment)
            && !handled.events.is_empty()
        {
            ledger.follow_chat_assignment(assignment);
            *self.inner.current.lock().unwrap_or_else(PoisonError::into_inner) =
                Current { version: version + 1, workspace: workspace.clone(), seed };
            self.publish_rebuilt(ledger.engine());
        }
        let handled = handled.map_err(Refusal::from);
        let masked = match (&handled, asked) {
            (Err(Refusal::Rejected(rejection)), Some((viewer, command))) => {
                Some(viewer::rejection_for(ledger.engine(), viewer, &command, rejection.clone()))
            }
            _ => None,
        };
        drop(ledger);
        match handled {
            Ok(handled) => {
                let outcome = Outcome::Accepted { first: handled.first, count: handled.events.len() as u64 };
                if handled.events.is_empty() {
                    // Nothing was appended, so the key is stored on its own: nothing to apply twice.
                    if let Some(keyed) = &keyed {
                        let mut connection = self.inner.pool.acquire().await?;
                        store_outcome(&mut connection, keyed, StatusCode::OK.as_u16(), &outcome).await?;
                    }
                }
                Ok(Answer { status: StatusCode::OK, outcome, replayed: false })
            }
            Err(Refusal::Rejected(rejection)) => {
                self.refused(keyed.as_ref(), &workspace, masked.unwrap_or(rejection)).await
            }
            Err(Refusal::NotStored(error)) => {
                // Another process may have stored this very key with its events.
                if let Some(keyed) = &keyed
                    && let Some(answer) = self.stored_answer(keyed).await?
                {
                    return Ok(answer);
                }
                Err(ApiError::unavailable(format!("{error:?}")))
            }
            Err(Refusal::Unread(error)) => Err(ApiError::unavailable(error)),
            Err(Refusal::Damaged(damaged)) => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("The saved conversations are damaged ({damaged}): nothing is decided after that point."),
            )),
            Err(Refusal::Busy) => Err(ApiError::unavailable("a decision was on its way on the ledger")),
        }
    }

    /// Tells the sockets what a decision caught up with (`earlier`) and then stored (`own`),
    /// under its write guard, so the ledger's position is where they end.
    fn publish_told(&self, ledger: &Ledger, earlier: &ledger::CaughtUp, own: &[Event]) {
        if earlier.restarted {
            // Rebuilt from the journal: what sockets were told may not be what it holds, so
            // every one is sent a whole view instead of the batch.
            self.publish_rebuilt(ledger.engine());
            return;
        }
        let events: Vec<Event> = earlier.events.iter().chain(own).cloned().collect();
        if !events.is_empty() {
            let mut listeners = self.inner.listeners.lock().unwrap_or_else(PoisonError::into_inner);
            listeners.batch(ledger.engine(), ledger.position(), events.into());
        }
    }

    /// Catches a stale ledger up from the journal (a rebuild), trying again until the journal
    /// can be read; meanwhile every reader waits, rather than see events it does not hold.
    async fn rebuild_while_stale(&self, ledger: &mut Ledger) {
        let mut wait = Duration::from_millis(10);
        while ledger.is_stale() {
            let caught_up = ledger::catch_up(&std::sync::Mutex::new(&mut *ledger), &self.inner.journal).await;
            match caught_up {
                Ok(caught_up) => self.publish_told(ledger, &caught_up, &[]),
                // Rebuilt up to a record it cannot read: what came before it is the journal's.
                Err(ledger::CatchUpError::Damaged(damaged)) => {
                    tracing::error!(%damaged, "the journal holds a record that cannot be replayed");
                    self.publish_rebuilt(ledger.engine());
                }
                Err(ledger::CatchUpError::Unread(error)) => {
                    tracing::error!(%error, "the journal cannot be read to rebuild the engine: trying again");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(1));
                }
            }
        }
    }

    async fn stored_answer(&self, keyed: &Keyed) -> Result<Option<Answer>, ApiError> {
        let row = sqlx::query("SELECT command, status, outcome FROM commands WHERE actor = $1 AND key = $2")
            .bind(&keyed.actor)
            .bind(&keyed.key)
            .fetch_optional(&self.inner.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let command: String = row.try_get("command")?;
        if command != keyed.command {
            return Err(ApiError::unprocessable(
                "This idempotency key was used for another command: make a new key for each command.",
            ));
        }
        let status: i64 = row.try_get("status")?;
        let outcome: String = row.try_get("outcome")?;
        let status = u16::try_from(status).ok().and_then(|status| StatusCode::from_u16(status).ok());
        let outcome = serde_json::from_str(&outcome).ok();
        match (status, outcome) {
            (Some(status), Some(outcome)) => Ok(Some(Answer { status, outcome, replayed: true })),
            _ => Err(ApiError::internal("a stored outcome cannot be read")),
        }
    }

    /// Builds the engine again on `workspace`, as the browser does when the workspace changes:
    /// the journal replayed under it (`Rebuilt::from_journal`). Under the writers' lock.
    async fn rebuild(&self, workspace: Workspace, seed: u64) -> Result<Rebuilt, ApiError> {
        Rebuilt::from_journal(&self.inner.journal, workspace, seed, self.inner.config.snapshot_every)
            .await
            .map_err(ApiError::unavailable)
    }

    /// Puts an engine built again and its workspace in force. Under the writers' lock.
    async fn install(&self, ledger: Ledger, current: Current) {
        let mut held = self.inner.ledger.write().await;
        *held = ledger;
        *self.inner.current.lock().unwrap_or_else(PoisonError::into_inner) = current;
        self.publish_rebuilt(held.engine());
    }

    /// An admin's new workspace, edited from `edited_from`. Refused (and nothing changed) when
    /// a newer version was saved since, or when the saved conversations do not fit it. The
    /// engine is built again on it and the queues served under its rules; once it is saved, it
    /// is answered as saved, with what of that could not be done (`WorkspaceSaved::unfinished`).
    pub async fn put_workspace(
        &self,
        admin: AgentId,
        edited_from: u64,
        workspace: Workspace,
    ) -> Result<WorkspaceSaved, PutRefused> {
        let this = self.clone();
        detached(async move { this.put_workspace_now(admin, edited_from, workspace).await }).await
    }

    async fn put_workspace_now(
        &self,
        admin: AgentId,
        edited_from: u64,
        workspace: Workspace,
    ) -> Result<WorkspaceSaved, PutRefused> {
        let _writer = self.inner.writer.lock().await;
        let (version, seed) = {
            let current = self.inner.current.lock().unwrap_or_else(PoisonError::into_inner);
            (current.version, current.seed)
        };
        if edited_from != version {
            let (version, workspace) = self.workspace();
            return Err(PutRefused::Stale { version, workspace });
        }
        let still_admin = workspace.teamspace.agent(admin).is_some_and(|agent| agent.role == Role::Admin);
        if !still_admin {
            return Err(PutRefused::Error(ApiError::unprocessable(
                "This workspace takes your own admin role away: another admin must do that.",
            )));
        }
        let mut rebuilt = self.rebuild(workspace.clone(), seed).await?;
        if let Some(damaged) = &rebuilt.damaged {
            return Err(PutRefused::Error(ApiError::unprocessable(format!(
                "This workspace does not fit the saved conversations ({damaged}); nothing was changed."
            ))));
        }
        let next = version + 1;
        let assignment = workspace.teamspace.assignment;
        let kept: Vec<i64> = workspace.teamspace.agents.iter().map(|agent| i64::from(agent.id.0)).collect();
        let mut transaction = self.inner.pool.begin().await.map_err(ApiError::from)?;
        sqlx::query("UPDATE workspace SET version = $1, document = $2 WHERE id = 0")
            .bind(i64::try_from(next).unwrap_or(i64::MAX))
            .bind(handoff::workspace_to_json(&workspace))
            .execute(&mut *transaction)
            .await
            .map_err(ApiError::from)?;
        // Agents no longer in the teamspace can no longer sign in.
        let removed: Vec<i64> = {
            let current = self.inner.current.lock().unwrap_or_else(PoisonError::into_inner);
            current
                .workspace
                .teamspace
                .agents
                .iter()
                .map(|agent| i64::from(agent.id.0))
                .filter(|id| !kept.contains(id))
                .collect()
        };
        let mut ended: Vec<Vec<u8>> = Vec::new();
        for agent in removed {
            let sessions = sqlx::query_scalar("DELETE FROM sessions WHERE agent = $1 RETURNING token_hash")
                .bind(agent)
                .fetch_all(&mut *transaction)
                .await
                .map_err(ApiError::from)?;
            ended.extend(sessions);
            sqlx::query("DELETE FROM passwords WHERE agent = $1")
                .bind(agent)
                .execute(&mut *transaction)
                .await
                .map_err(ApiError::from)?;
        }
        rebuilt.replace_snapshot(&mut transaction).await.map_err(ApiError::from)?;
        transaction.commit().await.map_err(ApiError::from)?;
        self.install(rebuilt.ledger, Current { version: next, workspace: workspace.clone(), seed }).await;
        self.sessions_ended(ended);
        // Saved and in force from here on: what follows cannot undo that, so whatever of it
        // fails is told as not done, beside the saved version, never as the save's failure.
        let mut unfinished = Vec::new();
        // A replay ends with the Chat Assignment of the journal's last change; the workspace's
        // is in force, so its editor's change is recorded when they differ.
        let in_force = self.read(|engine| engine.state().assignment).await;
        if in_force != assignment {
            let recorded =
                self.run_locked(None, None, Command::SetAssignment { agent: admin, assignment }, false, None).await;
            if let Err(error) = recorded {
                tracing::warn!(message = %error.message, version = next, "the saved Chat Assignment was not recorded");
                unfinished.push("its Chat Assignment is not yet in force on the conversations");
            }
        }
        // The chats that waited under the old rules go to agents with room under the new ones.
        if let Err(error) = self.run_locked(None, None, Command::ServeQueues, false, None).await {
            tracing::warn!(message = %error.message, version = next, "the queues were not served after a save");
            unfinished.push("the chats that were waiting were not offered to live agents under its rules");
        }
        let unfinished = (!unfinished.is_empty()).then(|| {
            format!(
                "The workspace is saved as version {next}, but {}: the server could not store that just now. Save it again to finish.",
                unfinished.join(", and ")
            )
        });
        Ok(WorkspaceSaved { version: next, workspace, unfinished })
    }

    /// Signs `agent` out at the desk (no new chats go to them) when no session of theirs is left.
    pub async fn sign_out_at_the_desk_when_gone(&self, agent: AgentId) -> Result<(), ApiError> {
        let row = sqlx::query("SELECT COUNT(*) AS count FROM sessions WHERE agent = $1 AND expires_at > $2")
            .bind(i64::from(agent.0))
            .bind(i64::try_from(now().0).unwrap_or(i64::MAX))
            .fetch_one(&self.inner.pool)
            .await?;
        if row.try_get::<i64, _>("count")? == 0 {
            self.run(None, None, Command::SignOut { agent }).await?;
        }
        Ok(())
    }

    /// Deletes the sessions past their expiry, and signs out at the desk each agent who has
    /// none left, so that nobody who went away keeps receiving chats. The binary runs it every
    /// minute; the number of sessions ended.
    pub async fn end_expired_sessions(&self) -> Result<usize, ApiError> {
        let rows: Vec<(i64, Vec<u8>)> =
            sqlx::query_as("DELETE FROM sessions WHERE expires_at <= $1 RETURNING agent, token_hash")
                .bind(i64::try_from(now().0).unwrap_or(i64::MAX))
                .fetch_all(&self.inner.pool)
                .await?;
        let ended = rows.len();
        let (agents, token_hashes): (Vec<i64>, Vec<Vec<u8>>) = rows.into_iter().unzip();
        self.sessions_ended(token_hashes);
        let mut agents: Vec<AgentId> =
            agents.into_iter().filter_map(|agent| u32::try_from(agent).ok()).map(AgentId).collect();
        agents.sort_unstable();
        agents.dedup();
        for agent in agents {
            self.sign_out_at_the_desk_when_gone(agent).await?;
        }
        Ok(ended)
    }

    /// Whether the first admin may still be created: nobody has a password yet.
    pub async fn setup_open(&self) -> Result<bool, ApiError> {
        let row = sqlx::query("SELECT COUNT(*) AS count FROM passwords").fetch_one(&self.inner.pool).await?;
        Ok(row.try_get::<i64, _>("count")? == 0)
    }

    /// Creates the first admin with `name` and the Argon2id `hash` of their password, and a
    /// session for them; refused once anybody has a password.
    /// Run to its end on its own task (`detached`): cut off between its commit and its install,
    /// the admin would hold a password the engine's workspace does not know.
    pub async fn set_up(
        &self,
        name: &str,
        hash: String,
        session_hash: &[u8],
        expires_at: i64,
    ) -> Result<AgentId, ApiError> {
        let (this, name, session_hash) = (self.clone(), name.to_owned(), session_hash.to_vec());
        detached(async move { this.set_up_now(&name, hash, &session_hash, expires_at).await }).await
    }

    async fn set_up_now(
        &self,
        name: &str,
        hash: String,
        session_hash: &[u8],
        expires_at: i64,
    ) -> Result<AgentId, ApiError> {
        let _writer = self.inner.writer.lock().await;
        if !self.setup_open().await? {
            return Err(ApiError::conflict("This server is set up already: sign in instead."));
        }
        let (version, mut workspace, seed) = {
            let current = self.inner.current.lock().unwrap_or_else(PoisonError::into_inner);
            (current.version, current.workspace.clone(), current.seed)
        };
        let agent = handoff::teamspace_edit::add_agent(&mut workspace, name, Role::Admin)
            .map_err(|error| ApiError::unprocessable(error.to_string()))?;
        let next = version + 1;
        let mut rebuilt = self.rebuild(workspace.clone(), seed).await?;
        if let Some(damaged) = &rebuilt.damaged {
            tracing::error!(%damaged, "the journal does not fit the workspace");
        }
        let mut transaction = self.inner.pool.begin().await?;
        sqlx::query("UPDATE workspace SET version = $1, document = $2 WHERE id = 0")
            .bind(i64::try_from(next).unwrap_or(i64::MAX))
            .bind(handoff::workspace_to_json(&workspace))
            .execute(&mut *transaction)
            .await?;
        rebuilt.replace_snapshot(&mut transaction).await?;
        sqlx::query("INSERT INTO passwords (agent, hash) VALUES ($1, $2)")
            .bind(i64::from(agent.0))
            .bind(hash)
            .execute(&mut *transaction)
            .await?;
        insert_session(&mut transaction, session_hash, agent, expires_at).await?;
        transaction.commit().await?;
        self.install(rebuilt.ledger, Current { version: next, workspace, seed }).await;
        Ok(agent)
    }
}

/// A workspace saved: its version, the workspace, and, when what follows a save could not all
/// be done, what was not, in words.
#[derive(Debug)]
pub struct WorkspaceSaved {
    pub version: u64,
    pub workspace: Workspace,
    pub unfinished: Option<String>,
}

/// Why a workspace was not saved.
#[derive(Debug)]
pub enum PutRefused {
    /// It was edited from an older version than this one.
    Stale {
        version: u64,
        workspace: Workspace,
    },
    Error(ApiError),
}

impl From<ApiError> for PutRefused {
    fn from(error: ApiError) -> PutRefused {
        PutRefused::Error(error)
    }
}

pub async fn insert_session(
    connection: &mut sqlx::SqliteConnection,
    token_hash: &[u8],
    agent: AgentId,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sessions (token_hash, agent, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(i64::from(agent.0))
        .bind(expires_at)
        .execute(connection)
        .await
        .map(drop)
}
