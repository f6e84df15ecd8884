//! The engine benchmark's workload, shared by the native criterion bench and the wasm run.
//!
//! Agents in 50 teams; an AI agent in English, French and Spanish whose Chat Started trigger
//! hands every chat off at once: English chats to all users with the availability check,
//! French and Spanish ones to a few teams with a list per language, small enough to fill up and
//! queue. Chats arrive one after
//! another, the method changes from Balanced to Round robin to Random a third of the way
//! through each, agents step Away and back, and an admin closes chats a fixed number of
//! arrivals later so that the queue keeps filling and draining.
//!
//! A decision is one assignment choice the engine makes on its own: an automatic assignment
//! or a chat put in the Pending queue. Claims, transfers and takeovers are people's choices.

use handoff::protocol::{AssignedBy, Command, Event, Presence};
use handoff::workflow::{
    Action, ActionKind, Assign, Condition, Handoff, LanguageTargets, Targets, Trigger, TriggerKind, Workflow,
};
use handoff::workspace::{AiAgent, LiveAgent, Role, Team, Teamspace};
use handoff::{
    AgentId, AssignmentMethod, ChatAssignment, ChatId, Engine, Language, NodeId, TeamId, Timestamp, Workspace,
};

pub const TEAMS: u32 = 50;
pub const CAP: u32 = 4;
/// Chats per run, as the issue sets it.
pub const CHATS: u32 = 100_000;

pub struct Workload {
    pub workspace: Workspace,
    /// Signing everyone in: run before the clock starts.
    pub setup: Vec<Command>,
    pub commands: Vec<(Timestamp, Command)>,
}

fn node(id: u32, kind: ActionKind) -> Action {
    Action { id: NodeId(id), label: None, enabled: true, kind, triggers: Vec::new() }
}

fn handoff(id: u32, availability_check: bool, assign: Assign) -> Action {
    node(
        id,
        ActionKind::HumanHandoff(Handoff {
            availability_check,
            assign,
            message: None,
            on_close: Vec::new(),
            on_no_agent: Vec::new(),
        }),
    )
}

fn teams(range: std::ops::RangeInclusive<u32>) -> Vec<TeamId> {
    range.map(TeamId).collect()
}

pub fn workspace(agents: u32) -> Workspace {
    let mut live_agents: Vec<LiveAgent> = (1..=agents)
        .map(|id| {
            let mut teams = vec![TeamId(id % TEAMS + 1), TeamId((id * 7 + 3) % TEAMS + 1)];
            teams.dedup();
            LiveAgent { id: AgentId(id), name: format!("Agent {id}"), role: Role::Agent, teams }
        })
        .collect();
    live_agents.push(LiveAgent {
        id: AgentId(agents + 1),
        name: "Admin".to_owned(),
        role: Role::Admin,
        teams: Vec::new(),
    });
    let by_language = [
        (Language::new("fr"), LanguageTargets::Own(Targets { agents: Vec::new(), teams: teams(21..=25) })),
        (
            Language::new("es"),
            LanguageTargets::Own(Targets { agents: (1..=20).map(AgentId).collect(), teams: teams(36..=38) }),
        ),
        (Language::new("en"), LanguageTargets::Default),
    ];
    let specific = Assign::SpecificUsersOrTeams {
        targets: Targets { agents: Vec::new(), teams: teams(1..=20) },
        by_language: Some(by_language.into_iter().collect()),
    };
    let started = Trigger {
        id: NodeId(1),
        kind: TriggerKind::ChatStarted,
        actions: vec![node(
            2,
            ActionKind::IfElse {
                condition: Condition::LanguageIs { language: Language::new("en") },
                then: vec![handoff(3, true, Assign::AllUsers)],
                otherwise: vec![handoff(4, false, specific)],
            },
        )],
    };
    let closed = Trigger { id: NodeId(5), kind: TriggerKind::ChatClosedByLiveAgent, actions: Vec::new() };
    Workspace {
        teamspace: Teamspace {
            name: "Benchmark".to_owned(),
            teams: (1..=TEAMS).map(|id| Team { id: TeamId(id), name: format!("Team {id}") }).collect(),
            agents: live_agents,
            assignment: ChatAssignment { method: AssignmentMethod::Balanced, auto_assign_cap: CAP },
            canned_replies: Vec::new(),
        },
        ai_agent: AiAgent {
            name: "Helper".to_owned(),
            default_language: Language::new("en"),
            other_languages: vec![Language::new("fr"), Language::new("es")],
            workflow: Workflow { triggers: vec![started, closed] },
        },
    }
}

pub fn workload(agents: u32, chats: u32) -> Workload {
    let workspace = workspace(agents);
    let admin = AgentId(agents + 1);
    let setup = (1..=agents + 1).map(|id| Command::SignIn { agent: AgentId(id) }).collect();
    // Three quarters of the agents' capacity is open at any time, so the smaller pools saturate.
    let lag = agents * CAP * 3 / 4;
    let languages = [Language::new("en"), Language::new("fr"), Language::new("es")];
    let methods = [AssignmentMethod::Balanced, AssignmentMethod::RoundRobin, AssignmentMethod::Random];
    let mut commands = Vec::with_capacity(chats as usize * 2 + 100);
    for k in 0..chats {
        let at = Timestamp(u64::from(k) * 100);
        if k % (chats / 3).max(1) == 0 && k > 0 {
            let method = methods[(k / (chats / 3).max(1)) as usize % 3];
            let assignment = ChatAssignment { method, auto_assign_cap: CAP };
            commands.push((at, Command::SetAssignment { agent: admin, assignment }));
        }
        if k % 500 == 0 {
            let agent = AgentId(k / 500 % agents + 1);
            commands.push((at, Command::SetPresence { agent, presence: Presence::Away }));
            let back = AgentId((k / 500 + agents - 1) % agents + 1);
            commands.push((at, Command::SetPresence { agent: back, presence: Presence::Online }));
        }
        let language = languages[(k % 3) as usize].clone();
        commands.push((at, Command::StartChat { chat: ChatId(k), language }));
        if k >= lag {
            commands.push((at, Command::Close { chat: ChatId(k - lag), agent: admin }));
        }
    }
    Workload { workspace, setup, commands }
}

/// A signed-in engine ready to run the workload's commands.
pub fn prepare(workload: &Workload, linear_scan: bool) -> Engine {
    let mut engine = Engine::new(workload.workspace.clone(), 11);
    engine.set_linear_scan(linear_scan);
    for command in &workload.setup {
        engine.handle(Timestamp(0), command.clone()).expect("every agent can sign in");
    }
    engine
}

/// Runs the commands and returns how many decisions the engine made. Rejections (closing a
/// chat that is still pending, an agent already Online) are part of the load.
pub fn run(engine: &mut Engine, commands: &[(Timestamp, Command)]) -> u64 {
    let mut decisions = 0;
    for (at, command) in commands {
        if let Ok(events) = engine.handle(*at, command.clone()) {
            decisions += events.iter().filter(|event| is_decision(event)).count() as u64;
        }
    }
    decisions
}

pub fn is_decision(event: &Event) -> bool {
    matches!(event, Event::Assigned { by: AssignedBy::Method(_), .. } | Event::Queued { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workload_assigns_queues_and_drains_with_every_method() {
        let workload = workload(100, 3_000);
        let mut engine = prepare(&workload, false);
        let mut assigned = std::collections::HashSet::new();
        let mut queued = 0;
        for (at, command) in &workload.commands {
            for event in engine.handle(*at, command.clone()).unwrap_or_default() {
                match event {
                    Event::Assigned { by: AssignedBy::Method(method), .. } => {
                        assigned.insert(format!("{method:?}"));
                    }
                    Event::Queued { .. } => queued += 1,
                    _ => {}
                }
            }
        }
        assert_eq!(assigned.len(), 3, "every automatic method assigns: {assigned:?}");
        assert!(queued > 100, "the queue fills: {queued} chats queued");
        let open = engine.state().agents.iter().map(|agent| agent.open_chats).sum::<u32>();
        assert!(open > 0 && open <= 100 * CAP, "{open} chats open");
    }
}

/// The intent recognizer's benchmark and its accuracy on the labelled set.
pub mod intents {
    use handoff::Language;
    use handoff::NodeId;
    use handoff::matching::{Evaluation, IntentPhrases, Recognizer, evaluate, intents_from_json, parse_labelled};

    pub const INTENTS: usize = 50;
    pub const PHRASES_PER_INTENT: usize = 20;

    const LABELLED: &str = include_str!("../../handoff/tests/intents/labelled.tsv");
    const STARTER_PHRASES: &str = include_str!("../../handoff/tests/intents/starter-phrases.json");

    /// Words of a support desk's requests, for synthetic intents.
    const TOPICS: &[&str] = &[
        "account",
        "address",
        "password",
        "invoice",
        "refund",
        "delivery",
        "parcel",
        "order",
        "subscription",
        "payment",
        "card",
        "warranty",
        "return",
        "exchange",
        "discount",
        "coupon",
        "voucher",
        "shipping",
        "tracking",
        "receipt",
        "login",
        "email",
        "phone",
        "profile",
        "settings",
        "notification",
        "newsletter",
        "membership",
        "plan",
        "upgrade",
        "downgrade",
        "cancellation",
        "booking",
        "reservation",
        "appointment",
        "ticket",
        "seat",
        "luggage",
        "flight",
        "hotel",
        "insurance",
        "claim",
        "contract",
        "quote",
        "estimate",
        "installation",
        "repair",
        "battery",
        "charger",
        "screen",
        "keyboard",
        "printer",
        "router",
        "modem",
        "signal",
        "outage",
        "speed",
        "download",
        "update",
        "license",
        "certificate",
        "document",
        "statement",
        "balance",
        "transfer",
        "deposit",
        "withdrawal",
        "loan",
        "mortgage",
        "interest",
        "fee",
        "penalty",
        "credit",
        "debit",
        "wallet",
        "gift",
        "size",
        "colour",
        "stock",
        "catalogue",
        "store",
        "opening",
        "holiday",
        "complaint",
        "feedback",
    ];
    const VERBS: &[&str] = &[
        "change", "cancel", "update", "check", "track", "reset", "renew", "close", "open", "book", "move", "pay",
        "report", "fix", "replace", "return", "download", "find", "confirm", "activate",
    ];
    const FRAMES: &[&str] = &[
        "{v} my {t}",
        "i want to {v} my {t}",
        "how do i {v} the {t}",
        "{t} {u}",
        "problem with my {t}",
        "can you {v} my {t} {u}",
        "{v} {t}",
        "question about {t} and {u}",
        "help with {t}",
        "my {t} {u} is wrong",
    ];

    /// SplitMix64: the same numbers on every run and target.
    struct Numbers(u64);

    impl Numbers {
        fn next(&mut self, below: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % below as u64) as usize
        }
    }

    pub struct IntentWorkload {
        /// By intent, its training phrases.
        pub phrases: Vec<Vec<String>>,
        pub messages: Vec<String>,
    }

    impl IntentWorkload {
        pub fn recognizer(&self) -> Recognizer {
            let names: Vec<String> = (0..self.phrases.len()).map(|index| format!("intent {index}")).collect();
            let excluded: Vec<String> =
                (0..self.phrases.len()).map(|index| format!("not my {}", TOPICS[index % TOPICS.len()])).collect();
            let english = Language::new("en");
            let intents: Vec<IntentPhrases<'_>> = self
                .phrases
                .iter()
                .zip(names.iter().zip(&excluded))
                .enumerate()
                .map(|(index, (phrases, (name, excluded)))| IntentPhrases {
                    id: NodeId(index as u32 + 1),
                    name,
                    training: phrases.iter().map(|phrase| (english.clone(), phrase.as_str())).collect(),
                    excluded: vec![(english.clone(), excluded.as_str())],
                })
                .collect();
            Recognizer::new(&intents)
        }
    }

    fn fill(frame: &str, verb: &str, topic: &str, other: &str) -> String {
        frame.replace("{v}", verb).replace("{t}", topic).replace("{u}", other)
    }

    /// 50 intents of 20 phrases, each intent about a few topics of its own; and messages: some
    /// phrases with words around them, misspelt or reordered, some about nothing the intents know.
    pub fn intent_workload() -> IntentWorkload {
        let mut numbers = Numbers(12);
        let phrases: Vec<Vec<String>> = (0..INTENTS)
            .map(|_| {
                let topics = [numbers.next(TOPICS.len()), numbers.next(TOPICS.len()), numbers.next(TOPICS.len())];
                (0..PHRASES_PER_INTENT)
                    .map(|_| {
                        let frame = FRAMES[numbers.next(FRAMES.len())];
                        let topic = TOPICS[topics[numbers.next(2)]];
                        fill(frame, VERBS[numbers.next(VERBS.len())], topic, TOPICS[topics[2]])
                    })
                    .collect()
            })
            .collect();
        let mut messages = Vec::new();
        for index in 0..40 {
            let phrase = &phrases[numbers.next(INTENTS)][numbers.next(PHRASES_PER_INTENT)];
            let message = match index % 4 {
                0 => format!("hi there, {phrase} please, it's quite urgent"),
                1 => {
                    // A misspelling: two letters of the longest word swapped.
                    let mut words: Vec<String> = phrase.split(' ').map(str::to_owned).collect();
                    if let Some(word) = words.iter_mut().max_by_key(|word| word.len()) {
                        let mut chars: Vec<char> = word.chars().collect();
                        chars.swap(1, 2);
                        *word = chars.into_iter().collect();
                    }
                    words.join(" ")
                }
                2 => phrase.split(' ').rev().collect::<Vec<_>>().join(" "),
                _ => "where is the nearest shop and what time does it close on sundays".to_owned(),
            };
            messages.push(message);
        }
        IntentWorkload { phrases, messages }
    }

    /// The labelled set of `handoff/tests/intents` against its starter phrases: what
    /// `tests/it/intents.rs` asserts, for `cargo xtask bench` to print.
    pub fn evaluation() -> Evaluation {
        let document: serde_json::Value = serde_json::from_str(STARTER_PHRASES).expect("the phrases are JSON");
        let intents = intents_from_json(&document, &["Talk to a human", "Billing"]).expect("the phrases' shape");
        let labelled = parse_labelled(LABELLED).expect("the labelled set's shape");
        evaluate(&Recognizer::new(&intents), &labelled, &Language::new("en"), "Talk to a human")
    }
}
