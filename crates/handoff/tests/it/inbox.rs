//! The inbox's folders: who sees which chat, filters and search, sorting, queue positions.

use handoff::inbox::{Filter, Folder, Row, counts, rows};
use handoff::{AgentId, ChatId, ChatStatus, Engine, Language, TeamId, demo::load_demo, starter_workspace};
use serde_json::json;

use crate::support::{run, workspace};

fn chats(rows: &[Row]) -> Vec<u32> {
    rows.iter().map(|row| row.chat.0).collect()
}

fn list(engine: &Engine, agent: u32, folder: Folder) -> Vec<u32> {
    chats(&rows(engine, AgentId(agent), folder, &Filter::default()))
}

/// Billing by default; French goes to the Francophone team (Chloé) only. Voluntary, so chats
/// wait until claimed.
fn voluntary_by_language() -> Engine {
    let handoff = json!({
        "availability_check": false,
        "assign": { "to": "specific_users_or_teams", "targets": { "teams": [1] },
                    "by_language": { "fr": { "use": "own", "teams": [3] } } }
    });
    let mut engine = Engine::new(workspace("voluntary", 2, handoff), 7);
    run(
        &mut engine,
        "- in 1\n- in 2\n- in 3\n- in 5\n\
         - start 10 en\n- say 10 human please, my invoice\n\
         - start 11 fr\n- say 11 humain\n\
         - start 12 en\n- say 12 human\n\
         - start 13 en\n- say 13 hello",
    );
    engine
}

#[test]
fn pending_shows_only_the_chats_an_agent_is_eligible_for_oldest_first_with_queue_places() {
    let engine = voluntary_by_language();
    // Ana is in Billing: the English chats. Chloé is Francophone: the French one.
    let ana = rows(&engine, AgentId(1), Folder::Pending, &Filter::default());
    assert_eq!(chats(&ana), [10, 12]);
    assert_eq!(ana.iter().map(|row| row.queue_position).collect::<Vec<_>>(), [Some(1), Some(2)]);
    assert_eq!(list(&engine, 3, Folder::Pending), [11]);
    // The queue positions agree with the engine's explanation.
    for row in &ana {
        assert_eq!(row.queue_position, engine.explain(row.chat).and_then(|e| e.queue_position));
    }
    // Ada the admin is in no list: nothing pending for her, but she sees all open chats.
    assert_eq!(list(&engine, 5, Folder::Pending), Vec::<u32>::new());
    assert_eq!(list(&engine, 5, Folder::AllOpen), [10, 11, 12]);
    assert_eq!(list(&engine, 1, Folder::AllOpen), Vec::<u32>::new(), "All open is for admins");
    assert_eq!(counts(&engine, AgentId(1)), [2, 0, 0, 0]);
    assert_eq!(counts(&engine, AgentId(5)), [0, 0, 3, 0]);
}

#[test]
fn a_claimed_chat_moves_from_pending_to_mine_and_a_closed_one_to_closed() {
    let mut engine = voluntary_by_language();
    let version = engine.chat(ChatId(12)).expect("chat 12").version;
    run(&mut engine, &format!("- claim 2 12 v{version}"));
    assert_eq!(list(&engine, 1, Folder::Pending), [10]);
    assert_eq!(list(&engine, 2, Folder::Mine), [12]);
    assert_eq!(list(&engine, 1, Folder::Mine), Vec::<u32>::new());
    assert_eq!(counts(&engine, AgentId(2)), [1, 1, 0, 0]);

    run(&mut engine, "- close 2 12");
    assert_eq!(list(&engine, 2, Folder::Mine), Vec::<u32>::new());
    assert_eq!(list(&engine, 2, Folder::Closed), [12], "closed, asking for feedback");
    run(&mut engine, "- rate 12 4");
    assert_eq!(list(&engine, 2, Folder::Closed), [12], "back with the AI agent, still closed");
    assert_eq!(list(&engine, 5, Folder::Closed), [12], "admins see every closed chat");
    assert_eq!(list(&engine, 1, Folder::Closed), Vec::<u32>::new(), "agents see the chats they closed");
}

#[test]
fn search_and_filters_narrow_a_list() {
    let engine = voluntary_by_language();
    let admin = AgentId(5);
    let filtered = |filter: Filter| chats(&rows(&engine, admin, Folder::AllOpen, &filter));
    assert_eq!(filtered(Filter { language: Some(Language::new("fr")), ..Filter::default() }), [11]);
    assert_eq!(filtered(Filter { team: Some(TeamId(3)), ..Filter::default() }), [11]);
    assert_eq!(filtered(Filter { team: Some(TeamId(1)), ..Filter::default() }), [10, 12]);
    assert_eq!(filtered(Filter { team: Some(TeamId(2)), ..Filter::default() }), Vec::<u32>::new());
    // Case and accents are ignored; a number finds its chat.
    assert_eq!(filtered(Filter { query: "INVOICE".into(), ..Filter::default() }), [10]);
    assert_eq!(filtered(Filter { query: "Humaín".into(), ..Filter::default() }), [11]);
    assert_eq!(filtered(Filter { query: "#12".into(), ..Filter::default() }), [12]);
    assert_eq!(filtered(Filter { query: "nothing like this".into(), ..Filter::default() }), Vec::<u32>::new());
}

#[test]
fn with_ten_thousand_demo_chats_every_list_agrees_with_the_chats_states() {
    let engine = load_demo(&starter_workspace(), 7, 10_000);
    let admin = AgentId(1);
    let [pending, mine, all_open, closed] = counts(&engine, admin);
    let all = rows(&engine, admin, Folder::AllOpen, &Filter::default());
    assert_eq!(all.len(), all_open);
    assert!(all_open > 1_000 && closed > 0 && pending > 1_000 && mine > 0, "{pending} {mine} {all_open} {closed}");
    // Pending is sorted by the queue: positions within one queue rise.
    let pending_rows = rows(&engine, admin, Folder::Pending, &Filter::default());
    assert_eq!(pending_rows.len(), pending);
    for row in pending_rows.iter().step_by(7) {
        assert_eq!(row.queue_position, engine.explain(row.chat).and_then(|e| e.queue_position));
    }

    // For every agent, the counts (taken from the queues and the loads) and the Pending list
    // (taken from the queues) are what the chats' own states say.
    for agent in &engine.workspace().teamspace.agents {
        let is_admin = agent.role == handoff::workspace::Role::Admin;
        let mut waiting: Vec<_> = engine
            .state()
            .chats
            .values()
            .filter_map(|chat| match chat.status {
                ChatStatus::Pending { queued, .. } if engine.eligible_agents(chat).contains(&agent.id) => {
                    Some((queued, chat.id))
                }
                _ => None,
            })
            .collect();
        waiting.sort_unstable();
        let theirs = |wanted: fn(&ChatStatus, AgentId) -> bool| {
            engine.state().chats.values().filter(|chat| wanted(&chat.status, agent.id)).count()
        };
        let mine = theirs(|status, agent| status.assignee() == Some(agent));
        let live = theirs(|status, _| matches!(status, ChatStatus::Pending { .. } | ChatStatus::Open { .. }));
        let closed = rows(&engine, agent.id, Folder::Closed, &Filter::default()).len();
        let expected = [waiting.len(), mine, if is_admin { live } else { 0 }, closed];
        assert_eq!(counts(&engine, agent.id), expected, "{}", agent.name);
        let listed: Vec<ChatId> =
            rows(&engine, agent.id, Folder::Pending, &Filter::default()).iter().map(|row| row.chat).collect();
        assert_eq!(listed, waiting.iter().map(|&(_, chat)| chat).collect::<Vec<_>>(), "{}", agent.name);
    }
}

#[test]
fn the_standing_offers_exactly_what_the_engine_accepts() {
    use handoff::inbox::standing;
    use handoff::{Command, Timestamp};
    // Availability check on: an Away eligible agent may not claim.
    let handoff = json!({ "availability_check": true, "assign": { "to": "all_users" } });
    let mut engine = Engine::new(workspace("voluntary", 2, handoff), 7);
    run(&mut engine, "- in 1\n- in 2\n- in 5\n- away 2\n- start 10 en\n- say 10 human\n- start 11 en\n- say 11 human");
    let claim = |agent| standing(&engine, ChatId(10), AgentId(agent)).expect("a standing").can_claim;
    assert!(claim(1), "Online and eligible");
    assert!(!claim(2), "Away under the availability check");
    assert!(!claim(3), "signed out");
    let version = engine.chat(ChatId(11)).expect("chat 11").version;
    run(&mut engine, &format!("- claim 1 11 v{version}"));

    // For every agent and chat, each offer is what the engine does with the command.
    for agent in 1..=5 {
        for chat in [10, 11] {
            let (agent, chat) = (AgentId(agent), ChatId(chat));
            let offered = standing(&engine, chat, agent).expect("a standing");
            let accepts = |command| engine.clone().handle(Timestamp(99_000), command).is_ok();
            let claim = Command::Claim { chat, agent, seen_version: offered.version };
            assert_eq!(offered.can_claim, accepts(claim), "claim by {agent} of {chat}");
            let takeover = Command::TakeoverAndSend { chat, agent, text: "hi".to_owned() };
            assert_eq!(offered.can_take_over || offered.mine, accepts(takeover), "takeover by {agent} of {chat}");
            let reply = Command::Reply { chat, agent, text: "hi".to_owned() };
            assert_eq!(offered.mine, accepts(reply), "reply by {agent} of {chat}");
        }
    }
}

/// `Engine::check_claim` and `Engine::check_takeover` refuse exactly as the commands do, one
/// row per reason.
#[test]
fn the_claim_and_takeover_checks_refuse_as_the_commands_do() {
    use handoff::{Command, Timestamp};
    let handoff = json!({ "availability_check": true, "assign": { "to": "specific_users_or_teams", "targets": { "teams": [1] } } });
    let mut engine = Engine::new(workspace("voluntary", 2, handoff), 7);
    run(
        &mut engine,
        "- in 1\n- in 2\n- in 4\n- in 5\n- away 2\n- start 10 en\n- say 10 human\n- start 11 en\n- say 11 human\n- start 12 en",
    );
    let version = |engine: &Engine, chat| engine.chat(ChatId(chat)).expect("the chat").version;
    let v10 = version(&engine, 10);
    let claim = format!("- claim 1 11 v{}", version(&engine, 11));
    run(&mut engine, &claim);
    let (v11, v12) = (version(&engine, 11), version(&engine, 12));
    // Chat 13 was claimed and closed.
    run(&mut engine, "- start 13 en\n- say 13 human");
    let claim = format!("- claim 1 13 v{}", version(&engine, 13));
    run(&mut engine, &format!("{claim}\n- close 1 13"));
    let v13 = version(&engine, 13);
    let claims: [(u32, u32, u32, &str); 12] = [
        (1, 10, v10, "accepted"),
        (3, 10, v10, "agent 3 is not signed in"),
        (9, 10, v10, "there is no agent 9"),
        (1, 99, 1, "there is no chat 99"),
        (2, 10, v10, "agent 2 is Away and the availability check is on"),
        (4, 10, v10, "agent 4 is not eligible for this chat"),
        (1, 10, v10 - 1, "chat 10 changed since it was seen (version 0, now 1)"),
        (
            1,
            10,
            v10 + 1,
            "chat 10 is not the chat that was seen (it has had 1 changes, the screen showed change 2): the conversations were reset or restored since",
        ),
        (1, 11, v11, "chat 11 is with agent 1 already"),
        (4, 11, v11, "chat 11 was already taken by agent 1"),
        (5, 12, v12, "chat 12 is not waiting for a live agent"),
        (4, 13, v13, "chat 13 is not waiting for a live agent"),
    ];
    let said =
        |result: Result<(), handoff::Rejection>| result.map_or_else(|no| no.to_string(), |()| "accepted".to_owned());
    for (agent, chat, seen, expected) in claims {
        let (agent, chat) = (AgentId(agent), ChatId(chat));
        let checked = said(engine.check_claim(chat, agent, seen));
        assert_eq!(checked, expected, "claim by {agent} of {chat}");
        let command = Command::Claim { chat, agent, seen_version: seen };
        assert_eq!(said(engine.clone().handle(Timestamp(99_000), command).map(|_| ())), expected);
    }
    let takeovers: [(u32, u32, &str); 7] = [
        (5, 11, "accepted"),
        (2, 10, "accepted"),
        (1, 11, "accepted"),
        (4, 11, "agent 4 is not eligible for this chat"),
        (3, 10, "agent 3 is not signed in"),
        (5, 12, "chat 12 is not with a live agent"),
        (5, 13, "chat 13 is not with a live agent"),
    ];
    for (agent, chat, expected) in takeovers {
        let (agent, chat) = (AgentId(agent), ChatId(chat));
        assert_eq!(said(engine.check_takeover(chat, agent)), expected, "takeover by {agent} of {chat}");
        let command = Command::TakeoverAndSend { chat, agent, text: "hi".to_owned() };
        assert_eq!(said(engine.clone().handle(Timestamp(99_000), command).map(|_| ())), expected);
    }
}

/// `#N` finds chat N and no chat whose messages merely contain the digits.
#[test]
fn a_search_for_hash_n_finds_chat_n_only() {
    let mut engine = voluntary_by_language();
    run(&mut engine, "- start 2 en\n- say 2 human, my order 12345");
    let admin = AgentId(5);
    let found = |query: &str| {
        chats(&rows(&engine, admin, Folder::AllOpen, &Filter { query: query.into(), ..Filter::default() }))
    };
    assert_eq!(found("#2"), [2]);
    assert_eq!(found("# 12"), [12]);
    assert_eq!(found("#99"), Vec::<u32>::new());
    // A bare number is still looked for in the messages too.
    assert_eq!(found("12345"), [2]);
    assert_eq!(found("12"), [12, 2], "oldest first");
}

/// The Transfer picker offers the agents a transfer may go to, and says why the others may not.
#[test]
fn transfer_targets_offer_only_signed_in_online_eligible_agents() {
    use handoff::inbox::{TransferOption, transfer_targets};
    let mut engine = Engine::new(workspace("balanced", 3, crate::support::all_users()), 7);
    run(&mut engine, "- in 1\n- in 2\n- in 3\n- away 3\n- start 10 en\n- say 10 human");
    let options = transfer_targets(&engine, ChatId(10));
    assert_eq!(
        options,
        [
            (AgentId(2), TransferOption::Available),
            (AgentId(3), TransferOption::Away),
            (AgentId(4), TransferOption::SignedOut),
            (AgentId(5), TransferOption::SignedOut),
        ],
        "everyone but the assignee, Ana"
    );
    // Exactly the available ones are accepted by the engine.
    for (agent, option) in options {
        let mut trial = engine.clone();
        let command = handoff::Command::Transfer {
            chat: ChatId(10),
            agent: AgentId(1),
            to: handoff::protocol::TransferTarget::Agent(agent),
        };
        assert_eq!(
            trial.handle(handoff::Timestamp(99_000), command).is_ok(),
            option == TransferOption::Available,
            "{agent}"
        );
    }
}

/// A chat given to the agent is unread until they open it; a customer's message makes it
/// unread again; their own reply does not.
#[test]
fn a_chat_in_mine_is_unread_until_opened_and_again_after_the_customer_writes() {
    use handoff::inbox::unread;
    let mut engine = Engine::new(workspace("balanced", 3, crate::support::all_users()), 7);
    run(&mut engine, "- in 1\n- start 10 en\n- say 10 human\n- start 11 en");
    let length = |engine: &Engine| engine.chat(ChatId(10)).expect("chat 10").transcript.len();
    assert_eq!(unread(&engine, AgentId(1), |_| 0), [ChatId(10)], "assigned, never opened");
    let opened = length(&engine);
    assert_eq!(unread(&engine, AgentId(1), |_| opened), Vec::<ChatId>::new(), "opened");
    run(&mut engine, "- reply 1 10 On it");
    assert_eq!(unread(&engine, AgentId(1), |_| opened), Vec::<ChatId>::new(), "their own reply");
    run(&mut engine, "- say 10 thanks");
    assert_eq!(unread(&engine, AgentId(1), |_| opened), [ChatId(10)], "the customer wrote");
    assert_eq!(unread(&engine, AgentId(2), |_| 0), Vec::<ChatId>::new(), "nobody else's");
}

/// What the reply box offers as the agent types: `/` and the start of one word, matched
/// ignoring case, as shortcuts are unique ignoring case.
#[test]
fn a_typed_shortcut_offers_the_canned_replies_it_begins_ignoring_case() {
    use handoff::inbox::canned_replies_offered;
    use handoff::workspace::CannedReply;
    let reply = |shortcut: &str| CannedReply { shortcut: shortcut.to_owned(), text: format!("{shortcut} text") };
    let replies = [reply("Refund"), reply("refused"), reply("thanks"), reply("ÉTÉ")];
    let table: [(&str, &[&str]); 11] = [
        ("/", &["Refund", "refused", "thanks", "ÉTÉ"]),
        ("/refund", &["Refund"]),
        ("/REF", &["Refund", "refused"]),
        ("/Refu", &["Refund", "refused"]),
        ("/th", &["thanks"]),
        ("/été", &["ÉTÉ"]),
        ("/ete", &[]),
        ("/refund please", &[]),
        ("refund", &[]),
        (" /refund", &[]),
        ("/x", &[]),
    ];
    for (typed, expected) in table {
        let offered: Vec<&str> =
            canned_replies_offered(&replies, typed).iter().map(|reply| reply.shortcut.as_str()).collect();
        assert_eq!(offered, expected, "{typed:?}");
    }
}

/// What the desk's Send becomes, by the agent's standing and the note toggle.
#[test]
fn send_is_a_note_a_reply_or_a_takeover_by_the_agents_standing() {
    use handoff::inbox::{SendAs, Standing};
    let standing = |mine, can_take_over| Standing { version: 3, mine, can_claim: false, can_take_over };
    let rows: [(Standing, bool, Option<SendAs>, &str); 6] = [
        (standing(true, false), false, Some(SendAs::Reply), "Send"),
        (standing(false, true), false, Some(SendAs::TakeoverAndSend), "Take over & send"),
        (standing(false, false), false, None, "Send"),
        (standing(true, false), true, Some(SendAs::Note), "Add note"),
        (standing(false, true), true, Some(SendAs::Note), "Add note"),
        (standing(false, false), true, Some(SendAs::Note), "Add note"),
    ];
    for (standing, note, expected, label) in rows {
        let send_as = SendAs::for_standing(&standing, note);
        assert_eq!(send_as, expected, "{standing:?} note {note}");
        assert_eq!(send_as.map_or("Send", SendAs::label), label);
    }
    let (chat, agent) = (ChatId(10), AgentId(2));
    let text = || "hi".to_owned();
    assert_eq!(SendAs::Note.command(chat, agent, text()), handoff::Command::Note { chat, agent, text: text() });
    assert_eq!(SendAs::Reply.command(chat, agent, text()), handoff::Command::Reply { chat, agent, text: text() });
    assert_eq!(
        SendAs::TakeoverAndSend.command(chat, agent, text()),
        handoff::Command::TakeoverAndSend { chat, agent, text: text() }
    );
}
