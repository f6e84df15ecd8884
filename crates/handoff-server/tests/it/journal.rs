//! `SqlJournal` on a temporary SQLite file, with the same kinds of tests as the domain's
//! `tests/it/ledger.rs`: appends all or none, a rival writer, a refused batch leaving nothing,
//! and a restart rebuilding the same state.

use std::str::FromStr;
use std::sync::Mutex;

use handoff::ledger::{self, AppendError, Journal, Ledger, Reading, Refusal, Shared};
use handoff::{
    AgentId, AssignmentMethod, ChatId, ChatStage, Command, Language, Rejection, Timestamp, starter_workspace,
};
use handoff_server::journal::{Along, Keyed, SqlJournal, StoreError};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use tempfile::TempDir;

use crate::support::Server;

const T: Timestamp = Timestamp(1_000);

/// A journal on a fresh database file (with the server's schema), and the folder holding it.
async fn journal() -> (TempDir, SqlJournal) {
    let dir = tempfile::tempdir().expect("a folder");
    // Opening the server creates the schema; the journal is then used on its own pool.
    let server = handoff_server::AppState::open(dir.path(), crate::support::config(), false).await.expect("starts");
    server.state.pool().close().await;
    let options = SqliteConnectOptions::from_str("sqlite:")
        .expect("options")
        .filename(dir.path().join("handoff.sqlite"))
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let pool = SqlitePool::connect_with(options).await.expect("the database opens");
    (dir, SqlJournal::new(pool))
}

async fn events(journal: &SqlJournal, from: u64) -> Vec<(u64, Vec<u8>)> {
    journal.read(from).await.expect("read").events
}

/// The starter workspace under Voluntary: a Chat Assignment of the workspace, as the server
/// keeps it (a `SetAssignment` alone lasts only until the engine is built again).
fn voluntary() -> handoff::Workspace {
    let mut workspace = starter_workspace();
    workspace.teamspace.assignment.method = AssignmentMethod::Voluntary;
    workspace
}

async fn writer(journal: &SqlJournal) -> Mutex<Ledger> {
    let (ledger, damaged) = ledger::open(voluntary(), 7, journal).await.expect("read");
    assert!(damaged.is_none(), "{damaged:?}");
    Mutex::new(ledger)
}

async fn send(ledger: &Mutex<Ledger>, journal: &SqlJournal, command: Command) {
    ledger::handle(ledger, journal, T, command).await.expect("accepted");
}

fn state(ledger: &Mutex<Ledger>) -> handoff::State {
    ledger.with(|ledger| ledger.engine().state().clone())
}

fn is_taken(result: &Result<(), AppendError<StoreError>>, at: u64) -> bool {
    matches!(result, Err(AppendError::Taken { number }) if *number == at)
}

#[tokio::test]
async fn batches_are_appended_in_number_order_and_read_back_from_any_number() {
    let (_dir, journal) = journal().await;
    journal.append(0, &[vec![0], vec![1]]).await.expect("free numbers");
    journal.append(2, &[vec![2]]).await.expect("free numbers");
    assert_eq!(events(&journal, 0).await, [(0, vec![0]), (1, vec![1]), (2, vec![2])]);
    assert_eq!(events(&journal, 2).await, [(2, vec![2])]);
    assert!(events(&journal, 3).await.is_empty());

    journal.write_snapshot(2, &[7]).await.expect("written");
    assert_eq!(
        journal.read(0).await.expect("read"),
        Reading { snapshot: Some((2, vec![7])), events: vec![(2, vec![2])] },
        "the snapshot, then the events after it"
    );
    assert_eq!(journal.read(2).await.expect("read").snapshot, None, "read only when it holds more");
    journal.write_snapshot(1, &[9]).await.expect("written");
    assert_eq!(journal.read(0).await.expect("read").snapshot, Some((2, vec![7])), "an older one never replaces it");
}

#[tokio::test]
async fn a_refused_batch_leaves_nothing_behind_not_even_its_key() {
    let (_dir, journal) = journal().await;
    journal.append(0, &[vec![0], vec![1]]).await.expect("free numbers");
    let keyed = Keyed { actor: "agent 2".to_owned(), key: "k1".to_owned(), command: "{}".to_owned() };
    let with_key = journal.with(Along { key: Some(keyed), ..Along::default() });

    // A number another writer took refuses the whole batch, the key's row with it.
    assert!(is_taken(&with_key.append(1, &[vec![9], vec![9], vec![9]]).await, 1));
    // A batch that would leave a gap is refused too.
    let gap = with_key.append(5, &[vec![9]]).await;
    assert!(matches!(gap, Err(AppendError::Storage(StoreError::Gap { first: 5 }))), "{gap:?}");
    assert_eq!(events(&journal, 0).await, [(0, vec![0]), (1, vec![1])], "nothing of the refused batches");
    let keys: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM commands").fetch_one(journal_pool(&journal)).await.expect("count");
    assert_eq!(keys, 0, "a key is stored only with its events");

    with_key.append(2, &[vec![2]]).await.expect("the next number is free");
    let keys: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM commands").fetch_one(journal_pool(&journal)).await.expect("count");
    assert_eq!(keys, 1, "stored in the transaction of its events");
}

fn journal_pool(journal: &SqlJournal) -> &SqlitePool {
    journal.pool()
}

/// A French chat pending (the workspace is under Voluntary), with Amélie (2) and Noah (6) signed in.
async fn pending_french_chat(ledger: &Mutex<Ledger>, journal: &SqlJournal) -> (ChatId, u32) {
    for command in [
        Command::SignIn { agent: AgentId(2) },
        Command::SignIn { agent: AgentId(6) },
        Command::StartChat { chat: ChatId(1), language: Language::new("fr") },
        Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() },
    ] {
        send(ledger, journal, command).await;
    }
    let version = ledger.with(|ledger| ledger.engine().chat(ChatId(1)).map(|chat| chat.version)).expect("the chat");
    (ChatId(1), version)
}

/// A journal where a rival writer slips its command in just before this writer's append, as a
/// second server instance without the shared lock would.
struct Racing<'a> {
    inner: SqlJournal,
    rival: &'a Mutex<Ledger>,
    command: Mutex<Option<Command>>,
}

impl Journal for Racing<'_> {
    type Error = StoreError;

    async fn read(&self, from: u64) -> Result<Reading, StoreError> {
        self.inner.read(from).await
    }

    async fn append(&self, first: u64, events: &[Vec<u8>]) -> Result<(), AppendError<StoreError>> {
        let rival_command = self.command.lock().expect("not poisoned").take();
        if let Some(command) = rival_command {
            ledger::handle(self.rival, &self.inner, T, command).await.expect("the rival's command");
        }
        self.inner.append(first, events).await
    }

    async fn write_snapshot(&self, next: u64, state: &[u8]) -> Result<(), StoreError> {
        self.inner.write_snapshot(next, state).await
    }
}

#[tokio::test]
async fn a_rival_writer_takes_the_number_first_and_the_loser_is_told_who_won() {
    let (_dir, journal) = journal().await;
    let mine = writer(&journal).await;
    let rival = writer(&journal).await;
    let (chat, seen) = pending_french_chat(&mine, &journal).await;
    let claim = |agent| Command::Claim { chat, agent: AgentId(agent), seen_version: seen };
    let racing = Racing { inner: journal.clone(), rival: &rival, command: Mutex::new(Some(claim(6))) };

    let outcome = ledger::handle(&mine, &racing, T, claim(2)).await.map_err(Refusal::from);
    assert!(
        matches!(outcome, Err(Refusal::Rejected(Rejection::AlreadyTaken { by: AgentId(6), .. }))),
        "decided again on the newer state: {outcome:?}"
    );
    assert_eq!(state(&mine), state(&rival), "nothing of the refused batch remains");
    let reopened = writer(&journal).await;
    let stage = reopened.with(|ledger| ledger.engine().chat(chat).map(|chat| chat.status.stage()));
    assert_eq!(stage, Some(ChatStage::Open { assignee: AgentId(6) }), "the journal holds one claim");
}

#[tokio::test]
async fn a_reopened_journal_rebuilds_the_same_state_with_or_without_a_snapshot() {
    let (_dir, journal) = journal().await;
    let (ledger, _) = ledger::open(voluntary(), 7, &journal).await.expect("read");
    let ledger = Mutex::new(ledger.with_snapshots_every(4));
    pending_french_chat(&ledger, &journal).await;
    for chat in 2..=6 {
        send(&ledger, &journal, Command::StartChat { chat: ChatId(chat), language: Language::new("en") }).await;
    }
    let held = journal.read(0).await.expect("read");
    assert!(held.snapshot.is_some(), "a snapshot was written");
    let reopened = writer(&journal).await;
    assert_eq!(state(&reopened), state(&ledger));
    assert_eq!(reopened.with(|l| l.position()), ledger.with(|l| l.position()));
    // Every event is kept: a replay from the first one gives the same state too.
    sqlx::query("DELETE FROM snapshots").execute(journal.pool()).await.expect("deleted");
    assert_eq!(state(&writer(&journal).await), state(&ledger));
}

#[tokio::test]
async fn a_restarted_server_rebuilds_the_same_engine_from_its_database() {
    let server = Server::demo().await;
    let (_amelie, _noah, chat, _) = server.pending_french_chat().await;
    let before = server.state.read(|engine| engine.state().clone()).await;
    let position = server.state.position().await;
    let server = server.restarted().await;
    assert_eq!(server.state.read(|engine| engine.state().clone()).await, before);
    assert_eq!(server.state.position().await, position);
    assert!(server.state.read(|engine| engine.chat(chat).is_some()).await);
}
