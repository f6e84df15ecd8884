//! Who may see what, and what each connection is told: a customer never sees a note, an agent
//! never another team's chat, a chat that leaves someone's folders is told gone, and a replica fed
//! only the changes answers like the server's engine for its viewer.

use handoff::inbox::{self, Filter, Folder};
use handoff::protocol::{Command, Event, Rejection};
use handoff::viewer::{
    Change, Forbidden, OutOfStep, Replica, Seen, Viewer, authorize, changes, changes_to_bytes, load_changes_bytes,
    load_view_bytes, may_see, rejection_for, view, view_to_bytes,
};
use handoff::{AgentId, ChatId, ChatStage, Engine, Timestamp, Workspace};
use serde_json::json;

use crate::support::{all_users, parse, workspace};

/// One connection: what the server has told it (`Seen`) and the browser's `Replica`, which hears
/// only what goes over the wire.
struct Connection {
    viewer: Viewer,
    seen: Seen,
    replica: Replica,
}

impl Connection {
    fn open(engine: &Engine, viewer: Viewer) -> Connection {
        let (first, seen) = view(engine, viewer);
        let bytes = view_to_bytes(&first);
        let decoded = load_view_bytes(&bytes).expect("a view's bytes load");
        assert_eq!(decoded, first, "a view round-trips through its bytes");
        Connection { viewer, seen, replica: Replica::new(engine.workspace().clone(), decoded) }
    }

    /// Tells the connection what a batch changed, through the wire's bytes; returns what it was told.
    fn tell(&mut self, engine: &Engine, events: &[Event]) -> Vec<Change> {
        let told = changes(engine, self.viewer, &mut self.seen, events);
        let decoded = load_changes_bytes(&changes_to_bytes(&told)).expect("changes' bytes load");
        assert_eq!(decoded, told, "changes round-trip through their bytes");
        self.replica.apply(&decoded).expect("the changes follow what the replica holds");
        told
    }
}

/// The server's engine and its connections, told each command's events.
struct Desk {
    engine: Engine,
    connections: Vec<Connection>,
    steps: u64,
}

impl Desk {
    fn new(workspace: Workspace, viewers: &[Viewer]) -> Desk {
        let engine = Engine::new(workspace, 7);
        let connections = viewers.iter().map(|&viewer| Connection::open(&engine, viewer)).collect();
        Desk { engine, connections, steps: 0 }
    }

    /// Runs one step of `support`'s language, which must be accepted, and says what each
    /// connection was told, in the order of the viewers.
    fn step(&mut self, step: &str) -> Vec<Vec<String>> {
        self.steps += 1;
        let events = match self.engine.handle(Timestamp(1_000 * self.steps), parse(step)) {
            Ok(events) => events,
            Err(rejection) => panic!("`{step}` was rejected: {rejection}"),
        };
        let engine = &self.engine;
        self.connections.iter_mut().map(|connection| said(&connection.tell(engine, &events))).collect()
    }

    fn steps(&mut self, steps: &str) {
        for step in steps.lines().map(str::trim).filter(|step| !step.is_empty()) {
            self.step(step);
        }
    }

    /// What one viewer now holds, as a fresh view gives it.
    fn view_of(&self, viewer: Viewer) -> Vec<String> {
        let (first, _) = view(&self.engine, viewer);
        first.chats.iter().map(|chat| format!("{} {}", chat.id, stage(chat.status.stage()))).collect()
    }

    fn replica(&self, viewer: Viewer) -> &Engine {
        let connection = self.connections.iter().find(|connection| connection.viewer == viewer);
        connection.expect("the viewer is connected").replica.engine()
    }
}

fn staff(agent: u32) -> Viewer {
    Viewer::Staff { agent: AgentId(agent) }
}

fn customer(chat: u32) -> Viewer {
    Viewer::Customer { chat: ChatId(chat) }
}

fn stage(stage: ChatStage) -> String {
    match stage {
        ChatStage::Bot => "with the AI agent".to_owned(),
        ChatStage::Pending { .. } => "pending".to_owned(),
        ChatStage::Open { assignee } => format!("open with {assignee}"),
        ChatStage::Closed { by } => format!("closed by {by}"),
    }
}

/// One line per change a person can read.
fn said(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|change| match change {
            Change::Chat { chat, place: Some(place), .. } => {
                format!("{} {}, place {place}", chat.id, stage(chat.status.stage()))
            }
            Change::Chat { chat, place: None, .. } => format!("{} {}", chat.id, stage(chat.status.stage())),
            Change::Gone { chat } => format!("{chat} gone"),
            Change::Agent { state } => format!("{} {:?}, {} open", state.id, state.status, state.open_chats),
            Change::Assignment { assignment } => {
                format!("assignment {:?}, cap {}", assignment.method, assignment.auto_assign_cap)
            }
            Change::Place { chat, place } => format!("{chat} now at place {place}"),
        })
        .collect()
}

fn lines(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

/// Billing (Ana, Ben) by default; French goes to the Francophone team (Chloé). Voluntary, so chats
/// wait until claimed.
fn voluntary_by_language() -> Workspace {
    let handoff = json!({
        "availability_check": false,
        "assign": { "to": "specific_users_or_teams", "targets": { "teams": [1] },
                    "by_language": { "fr": { "use": "own", "teams": [3] } } }
    });
    workspace("voluntary", 2, handoff)
}

#[test]
fn a_customer_is_never_told_an_internal_note() {
    let mut desk = Desk::new(workspace("balanced", 3, all_users()), &[customer(10), staff(1)]);
    desk.steps("in 1\nstart 10 en\nsay 10 human");
    let told = desk.step("note 1 10 they sound angry, careful");
    assert_eq!(told[0], Vec::<String>::new(), "not even a sign of life");
    assert_eq!(told[1], lines(&["chat 10 open with agent 1"]), "the agent sees their own note");
    desk.step("reply 1 10 Hello, I am Ana");
    let widget = desk.replica(customer(10)).chat(ChatId(10)).expect("the customer's chat");
    assert!(widget.transcript.iter().all(Event::is_visible_to_customer), "{:?}", widget.transcript);
    assert!(widget.transcript.iter().any(|event| matches!(event, Event::AgentMessage { .. })));
    assert!(widget.variables.is_empty(), "the chat variables are the workflow's own");
    let (fresh, _) = view(&desk.engine, customer(10));
    assert_eq!(fresh.chats.as_slice(), std::slice::from_ref(widget), "the replica is the view");
    assert!(fresh.agents.is_empty() && fresh.assignment.is_none(), "a customer sees no agents");
    let desk_copy = desk.replica(staff(1)).chat(ChatId(10)).expect("Ana's chat");
    assert!(desk_copy.transcript.iter().any(|event| matches!(event, Event::NoteAdded { .. })));
}

#[test]
fn an_agent_is_not_told_another_teams_pending_chat() {
    let mut desk = Desk::new(voluntary_by_language(), &[staff(1), staff(3)]);
    desk.steps("in 1\nin 3\nstart 10 en");
    let told = desk.step("say 10 human please");
    assert_eq!(told, [lines(&["chat 10 pending, place 1"]), vec![]]);
    desk.step("start 11 fr");
    let told = desk.step("say 11 humain");
    assert_eq!(told, [vec![], lines(&["chat 11 pending, place 1"])]);
    assert_eq!(desk.view_of(staff(1)), ["chat 10 pending"]);
    assert_eq!(desk.view_of(staff(3)), ["chat 11 pending"]);
    // Dev (Technical) is in neither list; an agent the teamspace lacks sees nothing at all.
    assert_eq!(desk.view_of(staff(4)), Vec::<String>::new());
    let (nobody, _) = view(&desk.engine, staff(9));
    assert!(nobody.chats.is_empty() && nobody.agents.is_empty() && nobody.assignment.is_none());
}

#[test]
fn an_admin_is_told_every_pending_and_open_chat() {
    let mut desk = Desk::new(voluntary_by_language(), &[staff(5)]);
    desk.steps("in 1\nin 3\nstart 10 en\nsay 10 human\nstart 11 fr\nsay 11 humain\nstart 12 en");
    assert_eq!(desk.view_of(staff(5)), ["chat 10 pending", "chat 11 pending"], "not chat 12, with the AI agent");
    let told = desk.step("claim 1 10 v1");
    assert_eq!(told[0], lines(&["agent 1 Online, 1 open", "chat 10 open with agent 1"]));
    let admin = desk.replica(staff(5));
    assert_eq!(inbox::counts(admin, AgentId(5)), inbox::counts(&desk.engine, AgentId(5)));
    assert_eq!(inbox::counts(admin, AgentId(5))[Folder::AllOpen.index()], 2);
}

#[test]
fn a_closed_chat_is_told_to_the_agent_who_closed_it_and_to_admins() {
    let mut desk = Desk::new(voluntary_by_language(), &[staff(1), staff(2), staff(5)]);
    desk.steps("in 1\nin 2\nstart 10 en\nsay 10 human\nstart 12 en\nsay 12 human");
    let told = desk.step("claim 2 12 v1");
    assert_eq!(told[0], lines(&["agent 2 Online, 1 open", "chat 12 gone"]), "Ana no longer sees the chat Ben took");
    assert_eq!(told[1], lines(&["agent 2 Online, 1 open", "chat 12 open with agent 2"]));
    let told = desk.step("close 2 12");
    assert_eq!(told[0], lines(&["agent 2 Online, 0 open"]), "Ana is told Ben's load, not the chat");
    assert_eq!(told[1], lines(&["agent 2 Online, 0 open", "chat 12 closed by agent 2"]));
    assert_eq!(told[2], lines(&["agent 2 Online, 0 open", "chat 12 closed by agent 2"]));
    desk.step("rate 12 4");
    assert_eq!(desk.view_of(staff(2)), ["chat 10 pending", "chat 12 with the AI agent"], "still Ben's Closed");
    assert_eq!(desk.view_of(staff(1)), ["chat 10 pending"]);
    for agent in [1, 2, 5] {
        let rows = inbox::rows(desk.replica(staff(agent)), AgentId(agent), Folder::Closed, &Filter::default());
        assert_eq!(
            rows,
            inbox::rows(&desk.engine, AgentId(agent), Folder::Closed, &Filter::default()),
            "agent {agent}"
        );
    }
}

#[test]
fn a_claim_tells_the_others_the_chat_is_gone_and_the_places_behind_it_moved() {
    let mut desk = Desk::new(voluntary_by_language(), &[staff(1), customer(12)]);
    desk.steps("in 1\nin 2\nstart 10 en\nsay 10 human\nstart 12 en\nsay 12 human");
    assert_eq!(desk.engine.queue_place(ChatId(12)), Some(2));
    let told = desk.step("claim 2 10 v1");
    assert_eq!(told[0], lines(&["agent 2 Online, 1 open", "chat 10 gone", "chat 12 now at place 1"]));
    assert_eq!(told[1], lines(&["chat 12 now at place 1"]), "the customer waits one place ahead");
    assert_eq!(desk.replica(customer(12)).queue_place(ChatId(12)), Some(1));
    let pending = inbox::rows(desk.replica(staff(1)), AgentId(1), Folder::Pending, &Filter::default());
    assert_eq!(pending, inbox::rows(&desk.engine, AgentId(1), Folder::Pending, &Filter::default()));
    assert_eq!(pending[0].queue_position, Some(1));
}

#[test]
fn signing_in_and_out_and_coming_online_move_chats_into_and_out_of_view() {
    // Billing only, Balanced with a cap of 1: Ana takes the first chat, the second waits.
    let billing = json!({ "availability_check": false, "assign": { "to": "specific_users_or_teams", "targets": { "teams": [1] } } });
    let mut desk = Desk::new(workspace("balanced", 1, billing), &[staff(1), staff(2)]);
    desk.steps("in 1\nstart 10 en\nsay 10 human");
    assert_eq!(desk.view_of(staff(2)), Vec::<String>::new(), "Ana's chat is not Ben's to see");
    // Signing out hands Ana's chat back to the queue, where Ben (signed out) sees it.
    let told = desk.step("out 1");
    assert_eq!(told[1], lines(&["agent 1 SignedOut, 0 open", "chat 10 pending, place 1"]));
    // Ben signing in takes it: it leaves Ana's Pending.
    let told = desk.step("in 2");
    assert_eq!(told[0], lines(&["agent 2 Online, 1 open", "chat 10 gone"]));
    assert_eq!(told[1], lines(&["agent 2 Online, 1 open", "chat 10 open with agent 2"]));
    // Ben goes Away; a new chat waits for Ana, who comes back and, Online, is given it.
    desk.steps("away 2\nin 1\naway 1\nstart 11 en\nsay 11 human");
    assert_eq!(desk.view_of(staff(1)), ["chat 11 pending"]);
    let told = desk.step("online 1");
    assert_eq!(told[0], lines(&["agent 1 Online, 1 open", "chat 11 open with agent 1"]));
    assert_eq!(told[1], lines(&["agent 1 Online, 1 open", "chat 11 gone"]));
}

#[test]
fn the_assignee_of_a_chat_an_admin_closes_is_told_with_its_new_load() {
    let mut desk = Desk::new(workspace("balanced", 3, all_users()), &[staff(2)]);
    desk.steps("in 1\nstart 10 en\nsay 10 human\nin 5");
    assert_eq!(desk.engine.chat(ChatId(10)).expect("chat 10").status.assignee(), Some(AgentId(1)));
    // The close names Ada; Ana's count of open chats changes all the same.
    let told = desk.step("close 5 10");
    assert_eq!(told[0], lines(&["agent 1 Online, 0 open"]));
    let replica = desk.replica(staff(2));
    assert_eq!(replica.state().agents, desk.engine.state().agents);
    assert_eq!(inbox::transfer_targets(replica, ChatId(10)), inbox::transfer_targets(&desk.engine, ChatId(10)));
}

#[test]
fn a_change_of_chat_assignment_is_told_to_staff_only() {
    let mut desk = Desk::new(voluntary_by_language(), &[staff(1), customer(10)]);
    desk.steps("in 1\nstart 10 en\nsay 10 human");
    let told = desk.step("settings 5 balanced 2");
    assert_eq!(told[0], lines(&["assignment Balanced, cap 2", "agent 1 Online, 1 open", "chat 10 open with agent 1"]));
    assert_eq!(told[1], lines(&["chat 10 open with agent 1"]));
    assert_eq!(desk.replica(staff(1)).state().assignment, desk.engine.state().assignment);
}

/// What `authorize` says of each command from each viewer, and that the engine is asked only
/// when it says yes.
#[test]
fn a_viewer_sends_only_what_it_may() {
    let mut engine = Engine::new(voluntary_by_language(), 7);
    for step in ["in 1", "in 3", "start 10 en", "say 10 human", "start 11 fr", "say 11 humain"] {
        engine.handle(Timestamp(0), parse(step)).expect("setup");
    }
    let check = |viewer: Viewer, step: &str, expected: Result<(), Forbidden>| {
        assert_eq!(authorize(&engine, viewer, &parse(step)), expected, "{viewer:?} sending `{step}`");
    };
    let hidden = |chat: u32| Err(Forbidden::Hidden { chat: ChatId(chat) });
    check(customer(10), "say 10 hello", Ok(()));
    check(customer(10), "rate 10 5", Ok(()));
    check(customer(10), "say 11 hello", hidden(11));
    check(customer(10), "say 99 hello", hidden(99));
    check(customer(10), "start 12 en", Err(Forbidden::WrongSide));
    check(customer(10), "claim 1 10 v1", Err(Forbidden::WrongSide));
    check(customer(10), "in 1", Err(Forbidden::WrongSide));
    check(staff(1), "say 10 hello", Err(Forbidden::WrongSide));
    check(staff(1), "start 12 en", Err(Forbidden::WrongSide));
    check(staff(1), "away 1", Ok(()));
    check(staff(1), "away 2", Err(Forbidden::OtherAgent { agent: AgentId(2) }));
    check(staff(1), "claim 2 10 v1", Err(Forbidden::OtherAgent { agent: AgentId(2) }));
    check(staff(1), "claim 1 10 v1", Ok(()));
    check(staff(1), "note 1 10 hmm", Ok(()));
    check(staff(1), "claim 1 11 v1", hidden(11));
    check(staff(1), "note 1 11 hmm", hidden(11));
    check(staff(1), "close 1 99", hidden(99));
    check(staff(1), "settings 1 balanced 2", Err(Forbidden::NotAdmin { agent: AgentId(1) }));
    check(staff(5), "settings 5 balanced 2", Ok(()));
    check(staff(5), "takeover 5 11 Bonjour", Ok(()));
    check(staff(9), "in 9", Err(Forbidden::NotInTeamspace { agent: AgentId(9) }));
    assert_eq!(authorize(&engine, staff(1), &Command::ServeQueues), Ok(()));
    assert_eq!(authorize(&engine, customer(10), &Command::ServeQueues), Err(Forbidden::WrongSide));
    // A hidden chat is said exactly as one that does not exist.
    let workspace = engine.workspace();
    assert_eq!(
        Forbidden::Hidden { chat: ChatId(11) }.in_words(workspace),
        Rejection::UnknownChat { chat: ChatId(11) }.in_words(workspace)
    );
}

#[test]
fn a_refusal_never_reveals_a_chat_but_a_lost_claim_names_who_won() {
    let mut engine = Engine::new(voluntary_by_language(), 7);
    for step in ["in 1", "in 2", "in 3", "start 10 en", "say 10 human", "claim 2 10 v1"] {
        engine.handle(Timestamp(0), parse(step)).expect("setup");
    }
    // Ana saw chat 10 pending at version 1 and claims it after Ben: she may pass `authorize`
    // and is told who won.
    let late = parse("claim 1 10 v1");
    assert_eq!(authorize(&engine, staff(1), &late), Ok(()));
    let lost = engine.handle(Timestamp(1), late.clone()).expect_err("Ben has it");
    assert_eq!(lost, Rejection::AlreadyTaken { chat: ChatId(10), by: AgentId(2) });
    assert_eq!(rejection_for(&engine, staff(1), &late, lost.clone()), lost);
    // Chloé, not eligible, learns nothing of the chat, whatever the engine says.
    let nosy = parse("claim 3 10 v1");
    assert_eq!(authorize(&engine, staff(3), &nosy), Err(Forbidden::Hidden { chat: ChatId(10) }));
    let refused = engine.handle(Timestamp(1), nosy.clone()).expect_err("Ben has it");
    assert_eq!(rejection_for(&engine, staff(3), &nosy, refused), Rejection::UnknownChat { chat: ChatId(10) });
    let reply = parse("reply 1 10 hello");
    let refused = engine.handle(Timestamp(1), reply.clone()).expect_err("not Ana's");
    assert!(matches!(refused, Rejection::NotAssignee { .. }));
    assert_eq!(rejection_for(&engine, staff(1), &reply, refused), Rejection::UnknownChat { chat: ChatId(10) });
    // Ben, whose chat it is, and an admin hear the engine's own words.
    let close = parse("close 2 99");
    let refused = engine.handle(Timestamp(1), close.clone()).expect_err("no such chat");
    assert_eq!(rejection_for(&engine, staff(2), &close, refused.clone()), refused);
    let claim = parse("claim 2 10 v2");
    let refused = engine.handle(Timestamp(1), claim.clone()).expect_err("his already");
    assert_eq!(rejection_for(&engine, staff(2), &claim, refused.clone()), refused);
    // A customer hears about their own chat only.
    let rate = parse("rate 10 4");
    let refused = engine.handle(Timestamp(1), rate.clone()).expect_err("not asking");
    assert_eq!(rejection_for(&engine, customer(10), &rate, refused.clone()), refused);
    assert_eq!(rejection_for(&engine, customer(11), &rate, refused), Rejection::UnknownChat { chat: ChatId(10) });
}

#[test]
fn may_see_is_what_the_folders_hold() {
    let mut engine = Engine::new(voluntary_by_language(), 7);
    for step in ["in 1", "in 2", "start 10 en", "say 10 human", "start 11 fr", "say 11 humain", "start 12 en"] {
        engine.handle(Timestamp(0), parse(step)).expect("setup");
    }
    let chat = |id: u32| engine.chat(ChatId(id)).expect("a chat");
    assert!(may_see(&engine, staff(1), chat(10)));
    assert!(!may_see(&engine, staff(1), chat(11)), "another team's");
    assert!(may_see(&engine, staff(3), chat(11)), "Chloé's, even signed out");
    assert!(!may_see(&engine, staff(5), chat(12)), "nobody's: never handed off");
    assert!(may_see(&engine, customer(12), chat(12)));
    assert!(!may_see(&engine, customer(12), chat(10)));
}

#[test]
fn a_replica_refuses_lines_that_do_not_follow_its_own() {
    let mut engine = Engine::new(workspace("balanced", 3, all_users()), 7);
    let (first, mut seen) = view(&engine, customer(10));
    let mut replica = Replica::new(engine.workspace().clone(), first);
    let events = engine.handle(Timestamp(0), parse("start 10 en")).expect("started");
    let told = changes(&engine, customer(10), &mut seen, &events);
    replica.apply(&told).expect("in step");
    let events = engine.handle(Timestamp(1), parse("say 10 hello")).expect("said");
    let told = changes(&engine, customer(10), &mut seen, &events);
    assert!(matches!(&told[..], [Change::Chat { from, .. }] if *from > 0), "only the new lines: {told:?}");
    let mut lost =
        Replica::new(engine.workspace().clone(), view(&Engine::new(engine.workspace().clone(), 7), customer(10)).0);
    assert_eq!(lost.apply(&told), Err(OutOfStep { chat: ChatId(10) }), "a replica that missed the start");
    replica.apply(&told).expect("in step");
    assert_eq!(replica.engine().chat(ChatId(10)), view(&engine, customer(10)).0.chats.first());
}

#[test]
fn damaged_bytes_from_the_server_are_refused_with_a_reason() {
    let mut engine = Engine::new(workspace("balanced", 3, all_users()), 7);
    engine.handle(Timestamp(0), parse("start 10 en")).expect("started");
    let (first, _) = view(&engine, customer(10));
    let bytes = view_to_bytes(&first);
    for cut in 0..bytes.len() {
        assert!(load_view_bytes(&bytes[..cut]).is_err(), "a view cut at {cut} loads");
    }
    assert_eq!(load_view_bytes(&[]).unwrap_err().to_string(), "the view from the server is empty");
    let mut padded = bytes.clone();
    padded.push(0);
    assert_eq!(load_view_bytes(&padded).unwrap_err().to_string(), "the view from the server is damaged");
    let mut other = bytes;
    other[0] = 9;
    assert_eq!(load_view_bytes(&other).unwrap_err().to_string(), "the view from the server has wire version 9, not 1");
    assert_eq!(
        load_changes_bytes(&[1, 1, 7]).unwrap_err().to_string(),
        "the batch of changes from the server is damaged"
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod properties {
    //! Over random workspaces and commands: `may_see` is the folders, and every viewer's replica,
    //! fed only the changes, is at every step what a fresh view would give.

    use handoff::inbox::{self, Filter, Folder};
    use handoff::viewer::{
        Change, Viewer, changes_to_bytes, load_changes_bytes, load_view_bytes, may_see, view, view_to_bytes,
    };
    use handoff::widget;
    use handoff::{AgentId, ChatId, Engine, Timestamp};
    use proptest::prelude::*;

    use super::{Connection, customer, staff};
    use crate::properties::{arb_step, arb_workspace, command};

    /// Every viewer the generated commands can concern: agents 1 to 5 and one the teamspace lacks,
    /// and the customers of every chat they may start.
    fn viewers() -> Vec<Viewer> {
        (1..=6).map(staff).chain((10..=19).map(customer)).collect()
    }

    /// The replica answers as the server's engine for its viewer, on everything a page reads.
    fn check_replica(engine: &Engine, connection: &Connection) -> Result<(), TestCaseError> {
        let viewer = connection.viewer;
        let replica = connection.replica.engine();
        let (fresh, _) = view(engine, viewer);
        let mut held: Vec<_> = replica.state().chats.values().cloned().collect();
        held.sort_unstable_by_key(|chat| chat.id);
        prop_assert_eq!(&held, &fresh.chats, "{:?} holds other chats", viewer);
        prop_assert_eq!(connection.seen.len(), fresh.chats.len());
        let places: Vec<(ChatId, usize)> = {
            let mut places: Vec<_> = replica.queue_places().into_iter().collect();
            places.sort_unstable();
            places
        };
        prop_assert_eq!(&places, &fresh.places, "{:?} was told other places", viewer);
        match viewer {
            Viewer::Staff { agent } if engine.agent(agent).is_some() => {
                prop_assert_eq!(&replica.state().agents, &engine.state().agents);
                prop_assert_eq!(replica.state().assignment, engine.state().assignment);
                prop_assert_eq!(inbox::counts(replica, agent), inbox::counts(engine, agent), "{:?}", viewer);
                for folder in Folder::ALL {
                    let filter = Filter::default();
                    prop_assert_eq!(
                        inbox::rows(replica, agent, folder, &filter),
                        inbox::rows(engine, agent, folder, &filter)
                    );
                }
                for chat in &fresh.chats {
                    prop_assert_eq!(inbox::standing(replica, chat.id, agent), inbox::standing(engine, chat.id, agent));
                    prop_assert_eq!(
                        inbox::transfer_targets(replica, chat.id),
                        inbox::transfer_targets(engine, chat.id)
                    );
                    prop_assert_eq!(replica.explain(chat.id), engine.explain(chat.id));
                }
            }
            Viewer::Staff { .. } => prop_assert!(fresh.chats.is_empty() && held.is_empty()),
            Viewer::Customer { chat } => {
                prop_assert_eq!(widget::offer(replica, chat), widget::offer(engine, chat));
                prop_assert_eq!(replica.queue_place(chat), engine.queue_place(chat));
                prop_assert_eq!(replica.asks_for_comment(chat), engine.asks_for_comment(chat));
            }
        }
        Ok(())
    }

    /// Nothing told carries a chat the viewer may not see now; a gone chat is one it may not.
    fn check_told(engine: &Engine, viewer: Viewer, told: &[Change]) -> Result<(), TestCaseError> {
        for change in told {
            match change {
                Change::Chat { chat, .. } => {
                    let now = engine.chat(chat.id).expect("a chat told exists");
                    prop_assert!(may_see(engine, viewer, now), "{:?} told {}", viewer, chat.id);
                }
                Change::Place { chat, .. } => {
                    let now = engine.chat(*chat).expect("a chat told exists");
                    prop_assert!(may_see(engine, viewer, now), "{:?} told the place of {}", viewer, chat);
                }
                Change::Gone { chat } => {
                    let now = engine.chat(*chat).expect("a chat told gone exists");
                    prop_assert!(!may_see(engine, viewer, now), "{:?} told {} is gone", viewer, chat);
                }
                Change::Agent { .. } | Change::Assignment { .. } => {
                    prop_assert!(matches!(viewer, Viewer::Staff { .. }), "{:?} told of agents", viewer);
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

        #[test]
        fn may_see_is_exactly_the_inbox_folders(
            workspace in arb_workspace(),
            steps in proptest::collection::vec(arb_step(), 1..100),
        ) {
            let mut engine = Engine::new(workspace, 11);
            for (index, step) in steps.iter().enumerate() {
                let _ = engine.handle(Timestamp(index as u64 * 1_000), command(&engine, step));
                for agent in (1..=6).map(AgentId) {
                    let mut in_folders: Vec<ChatId> = Folder::ALL
                        .into_iter()
                        .flat_map(|folder| inbox::rows(&engine, agent, folder, &Filter::default()))
                        .map(|row| row.chat)
                        .collect();
                    in_folders.sort_unstable();
                    in_folders.dedup();
                    let mut seen: Vec<ChatId> = engine
                        .state()
                        .chats
                        .values()
                        .filter(|chat| may_see(&engine, Viewer::Staff { agent }, chat))
                        .map(|chat| chat.id)
                        .collect();
                    seen.sort_unstable();
                    prop_assert_eq!(seen, in_folders, "{}", agent);
                }
                for chat in engine.state().chats.values() {
                    for viewer in (10..=19).map(customer) {
                        prop_assert_eq!(may_see(&engine, viewer, chat), viewer == customer(chat.id.0));
                    }
                }
            }
        }

        #[test]
        fn every_viewers_replica_fed_only_the_changes_is_a_fresh_view_at_every_step(
            workspace in arb_workspace(),
            steps in proptest::collection::vec(arb_step(), 1..100),
            late in any::<usize>(),
            seed in any::<u64>(),
        ) {
            let mut engine = Engine::new(workspace, seed);
            let mut connections: Vec<Connection> =
                viewers().into_iter().map(|viewer| Connection::open(&engine, viewer)).collect();
            // Others connect midway, onto whatever is there by then.
            let late = late % steps.len();
            for (index, step) in steps.iter().enumerate() {
                if index == late {
                    connections.extend(viewers().into_iter().map(|viewer| Connection::open(&engine, viewer)));
                }
                let Ok(events) = engine.handle(Timestamp(index as u64 * 1_000), command(&engine, step)) else { continue };
                for connection in &mut connections {
                    let told = connection.tell(&engine, &events);
                    check_told(&engine, connection.viewer, &told)?;
                    check_replica(&engine, connection)?;
                }
            }
        }

        /// A batch told late, after the engine moved on, still converges once the later batches
        /// are told: a server's connection may read the engine after other commands committed.
        #[test]
        fn batches_told_late_converge(
            workspace in arb_workspace(),
            steps in proptest::collection::vec(arb_step(), 1..80),
            lag in 1..4usize,
        ) {
            let mut engine = Engine::new(workspace, 3);
            let mut connections: Vec<Connection> =
                viewers().into_iter().map(|viewer| Connection::open(&engine, viewer)).collect();
            let mut batches: Vec<Vec<handoff::Event>> = Vec::new();
            for (index, step) in steps.iter().enumerate() {
                if let Ok(events) = engine.handle(Timestamp(index as u64 * 1_000), command(&engine, step)) {
                    batches.push(events);
                }
                // Tell the batches committed `lag` commands ago, on the engine as it is now.
                while batches.len() > lag {
                    let events = batches.remove(0);
                    for connection in &mut connections {
                        connection.tell(&engine, &events);
                    }
                }
            }
            for events in batches {
                for connection in &mut connections {
                    connection.tell(&engine, &events);
                }
            }
            for connection in &connections {
                check_replica(&engine, connection)?;
            }
        }

        #[test]
        fn bytes_from_the_server_load_as_written_and_anything_else_never_panics(
            workspace in arb_workspace(),
            steps in proptest::collection::vec(arb_step(), 1..60),
            noise in proptest::collection::vec(any::<u8>(), 0..200),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        ) {
            let mut engine = Engine::new(workspace, 5);
            let mut connections: Vec<Connection> =
                viewers().into_iter().map(|viewer| Connection::open(&engine, viewer)).collect();
            // Each with whether it is a view.
            let mut written: Vec<(bool, Vec<u8>)> = Vec::new();
            for (index, step) in steps.iter().enumerate() {
                let Ok(events) = engine.handle(Timestamp(index as u64 * 1_000), command(&engine, step)) else { continue };
                for connection in &mut connections {
                    let told = connection.tell(&engine, &events);
                    written.push((false, changes_to_bytes(&told)));
                }
            }
            for viewer in viewers() {
                let (first, _) = view(&engine, viewer);
                let bytes = view_to_bytes(&first);
                prop_assert_eq!(load_view_bytes(&bytes).expect("a view loads"), first);
                written.push((true, bytes));
            }
            for (is_view, bytes) in &written {
                for cut in 0..bytes.len() {
                    let refused = match is_view {
                        true => load_view_bytes(&bytes[..cut]).is_err(),
                        false => load_changes_bytes(&bytes[..cut]).is_err(),
                    };
                    prop_assert!(refused, "bytes cut at {} of {} load", cut, bytes.len());
                }
                let mut damaged = bytes.clone();
                for &(at, byte) in &flips {
                    let at = at % damaged.len();
                    damaged[at] ^= byte;
                }
                let _ = load_view_bytes(&damaged);
                let _ = load_changes_bytes(&damaged);
            }
            let _ = load_view_bytes(&noise);
            let _ = load_changes_bytes(&noise);
        }
    }
}
