//! Explanations: for a chat, each agent's verdict, the method that picked the assignee, and the
//! place in the queue.

use handoff::{ChatId, Engine, Verdict};
use serde_json::json;

use crate::support::{run, workspace};

fn verdicts(engine: &Engine, chat: u32) -> Vec<String> {
    let explanation = engine.explain(ChatId(chat)).expect("the chat exists");
    explanation
        .agents
        .iter()
        .map(|agent| {
            let verdict = match &agent.verdict {
                Verdict::NotInLanguageList { language } => format!("not in the {language} list"),
                Verdict::AtCap { open_chats, cap } => format!("at the cap ({open_chats} of {cap})"),
                other => format!("{other:?}"),
            };
            format!("{}: {verdict}", agent.name)
        })
        .collect()
}

#[test]
fn a_french_chat_explains_every_agent_and_its_queue_position() {
    // Billing by default; French goes to Billing's Ben and the Francophone team.
    let handoff = json!({
        "availability_check": false,
        "assign": { "to": "specific_users_or_teams", "targets": { "teams": [1] },
                    "by_language": { "fr": { "use": "own", "agents": [2], "teams": [3] } } }
    });
    let mut engine = Engine::new(workspace("balanced", 1, handoff), 7);
    run(&mut engine, "in 2\nin 3\nin 4\naway 2\nstart 10 fr\nsay 10 humain\nstart 11 fr\nsay 11 humain");

    let first = engine.explain(ChatId(10)).expect("chat 10");
    assert_eq!(first.assigned_by, Some(handoff::AssignedBy::Method(handoff::AssignmentMethod::Balanced)));
    assert_eq!(first.queue_position, None);
    assert_eq!(
        verdicts(&engine, 10),
        ["Ana: not in the fr list", "Ben: Away", "Chloé: Assignee", "Dev: NotInTarget", "Ada: NotInTarget"]
    );

    let second = engine.explain(ChatId(11)).expect("chat 11");
    assert_eq!(second.assigned_by, None);
    assert_eq!(second.queue_position, Some(1));
    assert_eq!(
        verdicts(&engine, 11),
        ["Ana: not in the fr list", "Ben: Away", "Chloé: at the cap (1 of 1)", "Dev: NotInTarget", "Ada: NotInTarget"]
    );
}

#[test]
fn who_would_get_a_chat_handed_off_now_is_explained_per_language_without_a_chat() {
    // Billing by default; French has its own list: Ben and the Francophone team.
    let handoff = json!({
        "availability_check": true,
        "assign": { "to": "specific_users_or_teams", "targets": { "teams": [1] },
                    "by_language": { "fr": { "use": "own", "agents": [2], "teams": [3] } } }
    });
    let mut engine = Engine::new(workspace("balanced", 1, handoff), 7);
    run(&mut engine, "in 1\nin 2\naway 2\nin 3");
    let handoff_node = engine
        .workspace()
        .ai_agent
        .workflow
        .entries()
        .into_iter()
        .find_map(|entry| match entry.node {
            handoff::workflow::NodeRef::Action(action)
                if matches!(action.kind, handoff::workflow::ActionKind::HumanHandoff(_)) =>
            {
                Some(action.id)
            }
            _ => None,
        })
        .expect("the workspace has a handoff");
    let named = |language: &str| -> Vec<String> {
        engine
            .explain_handoff(handoff_node, &handoff::Language::new(language))
            .expect("a supported language")
            .iter()
            .map(|agent| format!("{}: {:?}", agent.name, agent.verdict))
            .collect()
    };
    assert_eq!(
        named("en"),
        ["Ana: Eligible", "Ben: Away", "Chloé: NotInTarget", "Dev: NotInTarget", "Ada: NotInTarget"]
    );
    assert_eq!(
        named("fr"),
        [
            "Ana: NotInLanguageList { language: Language(\"fr\") }",
            "Ben: Away",
            "Chloé: Eligible",
            "Dev: NotInTarget",
            "Ada: NotInTarget"
        ]
    );
    assert_eq!(engine.explain_handoff(handoff_node, &handoff::Language::new("de")), None, "not a supported language");
    assert_eq!(engine.explain_handoff(handoff::NodeId(9999), &handoff::Language::new("en")), None, "not a handoff");
    assert!(engine.state().chats.is_empty(), "explaining creates no chat");
}

/// Who a customer in a language could reach: the agents of the language's handoff lists, with
/// whether each is Online now.
#[test]
fn the_agents_a_language_reaches_and_whether_they_are_online() {
    use handoff::{AgentId, Availability, Engine, Language, starter_workspace};
    let mut engine = Engine::new(starter_workspace(), 1);
    let french = Language::new("fr");
    // The starter sends French chats to the Francophone team: Amélie Laurent and Noah Martin.
    assert_eq!(
        engine.agents_for_language(&french),
        [(AgentId(2), Availability::SignedOut), (AgentId(6), Availability::SignedOut)]
    );
    engine.handle(handoff::Timestamp(1), handoff::Command::SignIn { agent: AgentId(2) }).unwrap();
    engine.handle(handoff::Timestamp(2), handoff::Command::SignIn { agent: AgentId(6) }).unwrap();
    engine
        .handle(
            handoff::Timestamp(3),
            handoff::Command::SetPresence { agent: AgentId(6), presence: handoff::Presence::Away },
        )
        .unwrap();
    assert_eq!(
        engine.agents_for_language(&french),
        [(AgentId(2), Availability::Online), (AgentId(6), Availability::Away)]
    );
    // English goes to Billing and Technical.
    let english: Vec<AgentId> =
        engine.agents_for_language(&Language::new("en")).into_iter().map(|(agent, _)| agent).collect();
    assert_eq!(english, [AgentId(1), AgentId(2), AgentId(3), AgentId(4), AgentId(5)]);
}

/// The preview's one click beside the customer: from each availability, the command it gives
/// leaves the agent Online, as `agents_for_language` then says.
#[test]
fn the_command_to_go_online_makes_an_agent_online_from_any_availability() {
    use handoff::{AgentId, Availability, Command, Language, Presence, Timestamp};

    let english = Language::new("en");
    let availability_of = |engine: &Engine, agent| {
        engine.agents_for_language(&english).into_iter().find(|(id, _)| *id == agent).map(|(_, now)| now)
    };
    let setups: [(&str, Vec<Command>); 3] = [
        ("signed out", vec![]),
        (
            "away",
            vec![
                Command::SignIn { agent: AgentId(1) },
                Command::SetPresence { agent: AgentId(1), presence: Presence::Away },
            ],
        ),
        ("online", vec![Command::SignIn { agent: AgentId(1) }]),
    ];
    for (name, setup) in setups {
        let handoff = json!({
            "availability_check": true,
            "assign": { "to": "specific_users_or_teams", "targets": { "agents": [1] } }
        });
        let mut engine = Engine::new(workspace("round_robin", 2, handoff), 7);
        for command in setup {
            engine.handle(Timestamp(1), command).expect("accepted");
        }
        let before = availability_of(&engine, AgentId(1)).expect("Ana takes English chats");
        match before.command_to_go_online(AgentId(1)) {
            Some(command) => drop(engine.handle(Timestamp(2), command).expect("accepted")),
            None => assert_eq!(before, Availability::Online, "{name}: no command only when Online"),
        }
        assert_eq!(availability_of(&engine, AgentId(1)), Some(Availability::Online), "{name}");
    }
}
