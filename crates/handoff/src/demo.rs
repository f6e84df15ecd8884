//! Demo data: a day of seeded traffic through a workspace, as the commands a real day would
//! send, so the inbox and the preview can be tried (and measured) with many chats.
//! The same seed always gives the same commands, and so the same state.

use crate::engine::Engine;
use crate::ids::{AgentId, ChatId, Language, Timestamp};
use crate::pools::draw;
use crate::protocol::{Command, Presence};
use crate::workflow::TriggerKind;
use crate::workspace::Workspace;

/// What a customer who wants a person writes: the first training phrase (in the default
/// language, else any) of the first Message Received trigger whose actions hand off, else plain English.
fn ask_for_a_person(workspace: &Workspace) -> String {
    workspace
        .ai_agent
        .workflow
        .triggers
        .iter()
        .find_map(|trigger| match &trigger.kind {
            TriggerKind::MessageReceived { training_phrases, .. }
                if trigger
                    .actions
                    .iter()
                    .any(|action| matches!(action.kind, crate::workflow::ActionKind::HumanHandoff(_))) =>
            {
                let language = &workspace.ai_agent.default_language;
                training_phrases.get(language).or_else(|| training_phrases.values().next())?.first().cloned()
            }
            _ => None,
        })
        .unwrap_or_else(|| "talk to a human".to_owned())
}

/// A seeded random source: each call draws the next number.
struct Draws {
    seed: u64,
    counter: u64,
}

impl Draws {
    /// A number in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.counter += 1;
        draw(self.seed, self.counter) % bound.max(1)
    }
}

/// The commands of `chats` chats through `workspace`, a few seconds apart, starting at `start`.
///
/// Every live agent signs in, a few go Away. Each chat starts in one of the AI agent's
/// languages (the default one most often). Seven in ten customers ask for a person and are
/// handed off; the others stay with the AI agent. Along the way, assigned chats get a reply,
/// and some are closed by their agent, which frees a slot for the queue. Chat ids count from
/// `first_chat`.
pub fn demo_commands(
    workspace: &Workspace,
    seed: u64,
    chats: u32,
    first_chat: u32,
    start: Timestamp,
) -> Vec<(Timestamp, Command)> {
    let mut draws = Draws { seed, counter: 0 };
    let mut commands = Vec::new();
    let mut now = start.0;
    let mut at = |commands: &mut Vec<(Timestamp, Command)>, step: u64, command: Command| {
        now += step;
        commands.push((Timestamp(now), command));
    };
    let agents: Vec<AgentId> = workspace.teamspace.agents.iter().map(|agent| agent.id).collect();
    for &agent in &agents {
        at(&mut commands, 1_000, Command::SignIn { agent });
        if draws.below(5) == 0 {
            at(&mut commands, 1_000, Command::SetPresence { agent, presence: Presence::Away });
        }
    }
    let languages: Vec<Language> = workspace.ai_agent.languages().cloned().collect();
    let ask = ask_for_a_person(workspace);
    for offset in 0..chats {
        let chat = ChatId(first_chat + offset);
        // The default language half the time, the others share the rest.
        let language = if languages.len() == 1 || draws.below(2) == 0 {
            languages[0].clone()
        } else {
            languages[1 + draws.below(languages.len() as u64 - 1) as usize].clone()
        };
        at(&mut commands, 2_000 + draws.below(20_000), Command::StartChat { chat, language });
        if draws.below(10) < 7 {
            at(&mut commands, 5_000 + draws.below(30_000), Command::CustomerMessage { chat, text: ask.clone() });
        } else {
            let text = "Just browsing, thanks".to_owned();
            at(&mut commands, 5_000 + draws.below(30_000), Command::CustomerMessage { chat, text });
        }
    }
    commands
}

/// An engine holding the demo: the workspace's engine with `demo_commands` run through it, and
/// then every third open chat answered and every fifth closed by its assignee (which lets the
/// queue drain into the freed slots). Replies and closes are chosen among the chats the engine
/// has opened, so they follow its rules rather than a guess of them.
pub fn load_demo(workspace: &Workspace, seed: u64, chats: u32) -> Engine {
    let mut engine = Engine::new(workspace.clone(), seed);
    let mut last = Timestamp(0);
    for (now, command) in demo_commands(workspace, seed, chats, 1, Timestamp(0)) {
        let _ = engine.handle(now, command);
        last = now;
    }
    let mut open: Vec<(ChatId, AgentId)> =
        engine.state().chats.values().filter_map(|chat| Some((chat.id, chat.status.assignee()?))).collect();
    open.sort();
    for (index, (chat, agent)) in open.into_iter().enumerate() {
        last = Timestamp(last.0 + 1_000);
        if index % 3 == 0 {
            let text = "Thanks for waiting! Let me look into this.".to_owned();
            let _ = engine.handle(last, Command::Reply { chat, agent, text });
        }
        if index % 5 == 0 {
            let _ = engine.handle(last, Command::Close { chat, agent });
        }
    }
    engine
}
