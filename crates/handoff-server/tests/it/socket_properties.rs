//! Visibility through the server, as a property: random workspaces (team memberships, the
//! Chat Assignment) and random sequences of agents' and customers' commands over HTTP, with one
//! socket per live agent and one per customer; every chat a frame carries was visible to its
//! viewer, no customer ever receives a note, and at the end each replica's lists are exactly
//! what the domain's rule allows.

use std::collections::{BTreeMap, HashSet};

use handoff::inbox::{self, Filter, Folder};
use handoff::viewer::{self, Change, Viewer};
use handoff::{AgentId, AssignmentMethod, ChatAssignment, ChatId, Command, Event, Presence, TeamId, TransferTarget};
use handoff_server::socket::Caller;
use handoff_wire::ServerFrame;
use proptest::prelude::*;
use serde_json::json;

use crate::socket::Client;
use crate::support::{Server, call};

const AGENTS: [(u32, &str); 6] = [
    (1, "Sam Rivera"),
    (2, "Amélie Laurent"),
    (3, "Jonas Weber"),
    (4, "Priya Shah"),
    (5, "Lucía Gómez"),
    (6, "Noah Martin"),
];
const ASK: [&str; 4] = ["talk to a human", "parler à un humain", "hello", "a billing question"];

#[derive(Debug, Clone)]
enum Step {
    StartChat { language: usize },
    Customer { chat: usize, text: usize },
    Desk { agent: usize, what: usize },
    Claim { agent: usize, chat: usize },
    Reply { agent: usize, chat: usize, note: bool },
    Transfer { agent: usize, chat: usize, to: usize, team: bool },
    Close { agent: usize, chat: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => (0..3usize).prop_map(|language| Step::StartChat { language }),
        3 => (0..8usize, 0..ASK.len()).prop_map(|(chat, text)| Step::Customer { chat, text }),
        3 => (0..6usize, 0..4usize).prop_map(|(agent, what)| Step::Desk { agent, what }),
        3 => (0..6usize, 0..8usize).prop_map(|(agent, chat)| Step::Claim { agent, chat }),
        2 => (0..6usize, 0..8usize, any::<bool>()).prop_map(|(agent, chat, note)| Step::Reply { agent, chat, note }),
        1 => (0..6usize, 0..8usize, 0..6usize, any::<bool>())
            .prop_map(|(agent, chat, to, team)| Step::Transfer { agent, chat, to, team }),
        2 => (0..6usize, 0..8usize).prop_map(|(agent, chat)| Step::Close { agent, chat }),
    ]
}

/// Which teams each agent is in (three teams), the method and the cap.
fn workspace() -> impl Strategy<Value = (Vec<Vec<u32>>, usize, u32)> {
    (proptest::collection::vec(proptest::sample::subsequence(vec![1u32, 2, 3], 0..=3), 6), 0..4usize, 1..4u32)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_frame_is_one_the_viewer_may_see_and_every_replica_ends_as_the_rule_allows(
        (teams, method, cap) in workspace(),
        steps in proptest::collection::vec(step(), 10..40),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(run(teams, method, cap, steps));
    }
}

async fn run(teams: Vec<Vec<u32>>, method: usize, cap: u32, steps: Vec<Step>) {
    let server = Server::demo().await;
    let mut cookies = Vec::new();
    for (_, name) in AGENTS {
        cookies.push(server.sign_in(name).await);
    }
    // The random workspace: team memberships (Sam stays the admin), then the Chat Assignment.
    let current = server.send(call("GET", "/api/workspace").cookie(&cookies[0])).await;
    let mut document = current.json.clone();
    for (index, agent) in
        document["workspace"]["workspace"]["teamspace"]["agents"].as_array_mut().expect("agents").iter_mut().enumerate()
    {
        agent["teams"] = json!(teams[index]);
    }
    let put = server.send(call("PUT", "/api/workspace").cookie(&cookies[0]).json(document)).await;
    assert!(put.status.is_success(), "{}", put.text);
    let method = [
        AssignmentMethod::Balanced,
        AssignmentMethod::RoundRobin,
        AssignmentMethod::Random,
        AssignmentMethod::Voluntary,
    ][method];
    let assignment = ChatAssignment { method, auto_assign_cap: cap };
    let set = server.command(&cookies[0], command(Command::SetAssignment { agent: AgentId(1), assignment })).await;
    assert!(set.status.is_success(), "{}", set.text);

    let mut clients: Vec<Client> =
        AGENTS.iter().zip(&cookies).map(|((agent, _), cookie)| Client::staff(&server, *agent, cookie)).collect();
    for client in &mut clients {
        client.hello(None, None).await;
    }
    let mut chats: Vec<(ChatId, String)> = Vec::new();
    // Who could see what after each step: a frame's chat must be visible at or after its position.
    let mut visible: BTreeMap<u64, Vec<(Viewer, HashSet<ChatId>)>> = BTreeMap::new();
    let mut viewers: Vec<Viewer> = clients.iter().map(|client| client.viewer).collect();
    record(&server, &mut visible, &viewers).await;

    for step in steps {
        let pick = |index: usize| chats.get(index % chats.len().max(1)).map(|(chat, _)| *chat);
        match step {
            Step::StartChat { language } => {
                let (chat, token) = server.start_chat(["en", "fr", "es"][language]).await;
                let mut customer = Client::open(&server, Caller::Customer { chat });
                customer.hello(None, Some(&token)).await;
                viewers.push(customer.viewer);
                clients.push(customer);
                chats.push((chat, token));
            }
            Step::Customer { chat, text } => {
                if let Some((chat, token)) = chats.get(chat % chats.len().max(1)) {
                    let _ = server.customer(*chat, token, json!({"command": "message", "text": ASK[text]})).await;
                }
            }
            Step::Desk { agent, what } => {
                let id = AgentId(AGENTS[agent].0);
                let command = match what {
                    0 => Command::SignIn { agent: id },
                    1 => Command::SetPresence { agent: id, presence: Presence::Online },
                    2 => Command::SetPresence { agent: id, presence: Presence::Away },
                    _ => Command::SignOut { agent: id },
                };
                let _ = server.command(&cookies[agent], self::command(command)).await;
            }
            Step::Claim { agent, chat } => {
                if let Some(chat) = pick(chat) {
                    let version = server.state.read(|engine| engine.chat(chat).map_or(0, |chat| chat.version)).await;
                    let claim = Command::Claim { chat, agent: AgentId(AGENTS[agent].0), seen_version: version };
                    let _ = server.command(&cookies[agent], command(claim)).await;
                }
            }
            Step::Reply { agent, chat, note } => {
                if let Some(chat) = pick(chat) {
                    let (id, text) = (AGENTS[agent].0, format!("line {}", server.state.position().await));
                    let command = match note {
                        true => Command::Note { chat, agent: AgentId(id), text: format!("secret {text}") },
                        false => Command::Reply { chat, agent: AgentId(id), text },
                    };
                    let _ = server.command(&cookies[agent], self::command(command)).await;
                }
            }
            Step::Transfer { agent, chat, to, team } => {
                if let Some(chat) = pick(chat) {
                    let to = match team {
                        true => TransferTarget::Team(TeamId(u32::try_from(to % 3 + 1).expect("small"))),
                        false => TransferTarget::Agent(AgentId(AGENTS[to].0)),
                    };
                    let transfer = Command::Transfer { chat, agent: AgentId(AGENTS[agent].0), to };
                    let _ = server.command(&cookies[agent], command(transfer)).await;
                }
            }
            Step::Close { agent, chat } => {
                if let Some(chat) = pick(chat) {
                    let close = Command::Close { chat, agent: AgentId(AGENTS[agent].0) };
                    let _ = server.command(&cookies[agent], command(close)).await;
                }
            }
        }
        record(&server, &mut visible, &viewers).await;
    }

    futures::future::join_all(clients.iter_mut().map(|client| client.settle(&server))).await;
    for client in &clients {
        for frame in &client.frames {
            check_frame(client.viewer, frame, &visible);
        }
        assert_lists_agree(&server, client).await;
    }
}

fn command(command: Command) -> serde_json::Value {
    serde_json::to_value(command).expect("a command")
}

/// Every chat a frame carries was visible to the viewer at its position or later (a socket may
/// read a newer state than its batch), and a customer's never holds a note.
fn check_frame(viewer: Viewer, frame: &ServerFrame, visible: &BTreeMap<u64, Vec<(Viewer, HashSet<ChatId>)>>) {
    let (position, chats): (u64, Vec<&handoff::Chat>) = match frame {
        ServerFrame::View { at, view } => (at.position, view.chats.iter().collect()),
        ServerFrame::Changes { at, changes } => (
            at.position,
            changes
                .iter()
                .filter_map(|change| match change {
                    Change::Chat { chat, .. } => Some(&**chat),
                    _ => None,
                })
                .collect(),
        ),
        _ => return,
    };
    for chat in chats {
        let seen_then = visible
            .range(position..)
            .any(|(_, sets)| sets.iter().any(|(held, ids)| *held == viewer && ids.contains(&chat.id)));
        assert!(seen_then, "{viewer:?} was sent chat {} at {position}, which they could not see", chat.id);
        if let Viewer::Customer { .. } = viewer {
            assert!(
                !chat.transcript.iter().any(|event| matches!(event, Event::NoteAdded { .. })),
                "a note reached {viewer:?}"
            );
        }
    }
}

/// The replica's lists are the server's for this viewer: every folder's rows for staff, the
/// chat itself for a customer.
async fn assert_lists_agree(server: &Server, client: &Client) {
    let replica = client.engine();
    server
        .state
        .read(|engine| match client.viewer {
            Viewer::Staff { agent } => {
                for folder in Folder::ALL {
                    let held = inbox::rows(replica, agent, folder, &Filter::default());
                    let truth = inbox::rows(engine, agent, folder, &Filter::default());
                    assert_eq!(held, truth, "{agent}'s {folder:?}");
                }
                assert_eq!(inbox::counts(replica, agent), inbox::counts(engine, agent), "{agent}'s counts");
            }
            Viewer::Customer { chat } => {
                let (truth, _) = viewer::view(engine, client.viewer);
                assert_eq!(replica.chat(chat), truth.chats.first(), "customer of {chat}");
            }
        })
        .await;
}

/// Who could see what at the server's position now.
async fn record(server: &Server, visible: &mut BTreeMap<u64, Vec<(Viewer, HashSet<ChatId>)>>, viewers: &[Viewer]) {
    server
        .state
        .read_at(|engine, position| {
            let sets = viewers
                .iter()
                .map(|&viewer| {
                    let chats = engine.state().chats.values().filter(|chat| viewer::may_see(engine, viewer, chat));
                    (viewer, chats.map(|chat| chat.id).collect())
                })
                .collect();
            visible.insert(position, sets);
        })
        .await;
}
