//! What a workspace edit does to the conversations already under way: the journal's events are
//! replayed under the new workspace, and whatever they say, the engine neither panics nor loses
//! a chat without saying so.

use handoff::teamspace_edit::{remove_language, set_assignment_method};
use handoff::{AgentId, ChatId, ChatStatus, Command, Engine, Event, Language, Timestamp, Workspace, starter_workspace};

const T: Timestamp = Timestamp(1_000);

/// The events of `commands` decided on the starter workspace.
fn history(commands: Vec<Command>) -> Vec<Event> {
    let mut engine = Engine::new(starter_workspace(), 7);
    commands.into_iter().flat_map(|command| engine.handle(T, command).expect("accepted")).collect()
}

/// An engine on `workspace` that replays `events`, as a reload after the edit does.
fn replayed(workspace: Workspace, events: &[Event]) -> Engine {
    let mut engine = Engine::new(workspace, 7);
    for event in events {
        engine.try_apply(event).expect("the event fits the edited workspace");
    }
    engine
}

/// A Spanish chat is under way when the admin removes Spanish (Settings allows it). The chat
/// carries on: texts fall back to the default language, and the handoff routes it with its
/// main list, as a language without a list of its own.
#[test]
fn a_chat_in_a_language_removed_since_carries_on_and_is_handed_off_with_the_main_list() {
    let events = history(vec![
        Command::SignIn { agent: AgentId(1) },
        Command::StartChat { chat: ChatId(1), language: Language::new("es") },
    ]);
    let mut without_spanish = starter_workspace();
    remove_language(&mut without_spanish, &Language::new("es")).expect("Spanish may be removed");
    let mut engine = replayed(without_spanish, &events);

    let events = engine
        .handle(T, Command::CustomerMessage { chat: ChatId(1), text: "talk to a human".to_owned() })
        .expect("the customer's message is taken");
    assert!(events.iter().any(|event| matches!(event, Event::HandedOff { .. })), "{events:?}");
    let chat = engine.chat(ChatId(1)).expect("the chat");
    assert_eq!(chat.language, Language::new("es"), "the chat keeps the language it was started in");
    assert!(matches!(chat.status, ChatStatus::Open { .. } | ChatStatus::Pending { .. }), "{:?}", chat.status);
    assert!(engine.eligible_agents(chat).contains(&AgentId(1)), "the handoff's main list reaches Sam");
}

/// The same chat read back from a snapshot, not from its events, is kept the same way: one
/// rule for both.
#[test]
fn a_snapshot_with_a_chat_in_a_removed_language_loads_and_the_chat_carries_on() {
    let mut engine = Engine::new(starter_workspace(), 7);
    for command in
        [Command::SignIn { agent: AgentId(1) }, Command::StartChat { chat: ChatId(1), language: Language::new("es") }]
    {
        engine.handle(T, command).expect("accepted");
    }
    let mut without_spanish = starter_workspace();
    remove_language(&mut without_spanish, &Language::new("es")).expect("Spanish may be removed");
    let state = handoff::load_state_bytes(&handoff::state_to_bytes(engine.state()), &without_spanish)
        .expect("the snapshot fits the edited workspace");
    let mut engine = Engine::from_state(without_spanish, state);
    let events = engine
        .handle(T, Command::CustomerMessage { chat: ChatId(1), text: "talk to a human".to_owned() })
        .expect("the customer's message is taken");
    assert!(events.iter().any(|event| matches!(event, Event::HandedOff { .. })), "{events:?}");
    let chat = engine.chat(ChatId(1)).expect("the chat");
    assert!(engine.eligible_agents(chat).contains(&AgentId(1)), "the handoff's main list reaches Sam");
}

/// An event that does not fit is refused with what is wrong, and changes nothing.
#[test]
fn an_event_that_does_not_fit_is_refused_in_words_and_changes_nothing() {
    let events = history(vec![
        Command::SignIn { agent: AgentId(1) },
        Command::StartChat { chat: ChatId(1), language: Language::new("en") },
    ]);
    let mut engine = replayed(starter_workspace(), &events);
    let before = engine.state().clone();
    let cases = [
        (events[1].clone(), "it starts chat 1, which was started already"),
        (Event::AgentSignedIn { agent: AgentId(99), at: T }, "it names agent 99, who is not in the teamspace"),
        (
            Event::Unassigned { chat: ChatId(1), from: AgentId(1), at: T },
            "it takes chat 1 from agent 1, who does not have it",
        ),
        (
            Event::Assigned { chat: ChatId(1), agent: AgentId(1), by: handoff::AssignedBy::Claim, at: T },
            "it gives chat 1 to the live side, but it was never handed off",
        ),
        (Event::ChatClosed { chat: ChatId(7), by: AgentId(1), at: T }, "it names chat 7, which does not exist"),
    ];
    for (event, words) in cases {
        let misfit = engine.try_apply(&event).expect_err("refused");
        assert_eq!(misfit.to_string(), words);
        assert_eq!(engine.state(), &before, "a refused event changes nothing");
    }
}

/// The settings page changes Chat Assignment offline as an edit of the workspace: no command,
/// so no agent acts and nobody is refused. The conversations replayed under the edited
/// workspace go by its method; only `Command::SetAssignment`, a change to a running
/// teamspace, needs an admin.
#[test]
fn chat_assignment_changed_in_the_settings_needs_no_actor_and_the_replayed_engine_follows_it() {
    let events = history(vec![Command::SignIn { agent: AgentId(2) }]);
    let mut voluntary = starter_workspace();
    set_assignment_method(&mut voluntary, handoff::AssignmentMethod::Voluntary);
    let mut engine = replayed(voluntary, &events);
    assert_eq!(engine.state().assignment.method, handoff::AssignmentMethod::Voluntary);
    engine.handle(T, Command::StartChat { chat: ChatId(1), language: Language::new("fr") }).expect("started");
    let customer = Command::CustomerMessage { chat: ChatId(1), text: "Je veux parler à un humain".to_owned() };
    engine.handle(T, customer).expect("the customer's message is taken");
    let chat = engine.chat(ChatId(1)).expect("the chat");
    assert!(matches!(chat.status, ChatStatus::Pending { .. }), "Voluntary never assigns: {:?}", chat.status);
}

/// A cap raised in the settings builds the engine again on the edited workspace; the chats
/// that waited at the old cap are then served by `ServeQueues`, as a change of Chat Assignment
/// at the desk serves them, and a second `ServeQueues` finds nothing to do.
#[test]
fn a_cap_raised_in_the_settings_serves_the_queue_once_the_engine_is_built_again() {
    use handoff::{AgentId, AssignmentMethod, ChatId, ChatStatus, Command, Engine, Event, Language, Timestamp};

    let mut workspace = starter_workspace();
    workspace.teamspace.assignment.method = AssignmentMethod::RoundRobin;
    workspace.teamspace.assignment.auto_assign_cap = 1;
    let mut engine = Engine::new(workspace.clone(), 7);
    let mut events = Vec::new();
    let mut send = |engine: &mut Engine, command| events.extend(engine.handle(T, command).expect("accepted"));
    // Amélie (2) alone is signed in; two French customers ask for a person.
    send(&mut engine, Command::SignIn { agent: AgentId(2) });
    for chat in [1, 2] {
        send(&mut engine, Command::StartChat { chat: ChatId(chat), language: Language::new("fr") });
        let text = "Je veux parler à un humain".to_owned();
        send(&mut engine, Command::CustomerMessage { chat: ChatId(chat), text });
    }
    let status = |engine: &Engine, chat| engine.chat(ChatId(chat)).map(|chat| chat.status.stage());
    assert!(matches!(status(&engine, 2), Some(handoff::ChatStage::Pending { .. })), "at the cap of 1");

    let mut raised = workspace;
    raised.teamspace.assignment.auto_assign_cap = 2;
    let mut rebuilt = replayed(raised, &events);
    assert!(matches!(status(&rebuilt, 2), Some(handoff::ChatStage::Pending { .. })), "replaying serves nothing");
    let served = rebuilt.handle(Timestamp(2_000), Command::ServeQueues).expect("accepted");
    assert!(
        matches!(served.as_slice(), [Event::Assigned { chat: ChatId(2), agent: AgentId(2), .. }, ..]),
        "{served:?}"
    );
    assert!(matches!(rebuilt.chat(ChatId(2)).map(|chat| &chat.status), Some(ChatStatus::Open { .. })));
    assert_eq!(rebuilt.handle(Timestamp(3_000), Command::ServeQueues), Ok(Vec::new()), "nothing left to serve");
}
