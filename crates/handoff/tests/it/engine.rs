//! The rules of handoff, assignment, the queue and the hand-back, one table row per behaviour.

use serde_json::json;

use crate::support::{all_users, check, workspace};

/// Four customers asking for a human, one after the other.
const FOUR_CHATS: &str = "
    - start 10 en
    say 10 human please
    - start 11 en
    say 11 human please
    - start 12 en
    say 12 human please
    - start 13 en
    say 13 human please
";

#[test]
fn at_the_cap_chats_queue_and_a_close_serves_the_oldest() {
    check(
        workspace("balanced", 1, all_users()),
        &format!("- in 1\n- in 2\n{FOUR_CHATS}\nclose 1 10"),
        "
        say 10 human please
          customer: human please
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by Balanced
        say 11 human please
          customer: human please
          ai: Connecting you to a live agent…
          chat 11 handed off
          chat 11 assigned to agent 2 by Balanced
        say 12 human please
          customer: human please
          ai: Connecting you to a live agent…
          chat 12 handed off
          chat 12 queued at position 1
        say 13 human please
          customer: human please
          ai: Connecting you to a live agent…
          chat 13 handed off
          chat 13 queued at position 2
        close 1 10
          closed by agent 1
          chat 12 assigned to agent 1 by Balanced
          ai: Thanks for chatting with us.
          ai asks for a rating: Rate us

    ",
    );
}

#[test]
fn round_robin_skips_an_away_agent_who_rejoins_at_the_end() {
    let steps = "
        - in 1
        - in 2
        - in 3
        - start 10 en
        say 10 human
        - start 11 en
        say 11 human
        away 3
        - start 12 en
        say 12 human
        - start 13 en
        say 13 human
        online 3
        - start 14 en
        say 14 human
        - start 15 en
        say 15 human
        - start 16 en
        say 16 human
    ";
    check(
        workspace("round_robin", 5, all_users()),
        steps,
        "
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by RoundRobin
        say 11 human
          customer: human
          ai: Connecting you to a live agent…
          chat 11 handed off
          chat 11 assigned to agent 2 by RoundRobin
        away 3
          agent 3 is Away
        say 12 human
          customer: human
          ai: Connecting you to a live agent…
          chat 12 handed off
          chat 12 assigned to agent 1 by RoundRobin
        say 13 human
          customer: human
          ai: Connecting you to a live agent…
          chat 13 handed off
          chat 13 assigned to agent 2 by RoundRobin
        online 3
          agent 3 is Online
        say 14 human
          customer: human
          ai: Connecting you to a live agent…
          chat 14 handed off
          chat 14 assigned to agent 1 by RoundRobin
        say 15 human
          customer: human
          ai: Connecting you to a live agent…
          chat 15 handed off
          chat 15 assigned to agent 2 by RoundRobin
        say 16 human
          customer: human
          ai: Connecting you to a live agent…
          chat 16 handed off
          chat 16 assigned to agent 3 by RoundRobin

    ",
    );
}

#[test]
fn balanced_ties_go_to_the_oldest_last_assignment_then_the_smallest_id() {
    let steps = "
        - in 2
        - in 1
        - start 10 en
        say 10 human
        - start 11 en
        say 11 human
        close 1 10
        - start 12 en
        say 12 human
        - start 13 en
        say 13 human
    ";
    check(
        workspace("balanced", 3, all_users()),
        steps,
        "
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by Balanced
        say 11 human
          customer: human
          ai: Connecting you to a live agent…
          chat 11 handed off
          chat 11 assigned to agent 2 by Balanced
        close 1 10
          closed by agent 1
          ai: Thanks for chatting with us.
          ai asks for a rating: Rate us
        say 12 human
          customer: human
          ai: Connecting you to a live agent…
          chat 12 handed off
          chat 12 assigned to agent 1 by Balanced
        say 13 human
          customer: human
          ai: Connecting you to a live agent…
          chat 13 handed off
          chat 13 assigned to agent 2 by Balanced

    ",
    );
}

fn by_language() -> serde_json::Value {
    json!({
        "availability_check": false,
        "assign": { "to": "specific_users_or_teams", "targets": { "teams": [1] },
                    "by_language": { "fr": { "use": "own", "teams": [3] }, "es": { "use": "default" } } }
    })
}

#[test]
fn each_language_uses_its_own_list_or_the_default() {
    let steps = "
        - in 1
        - in 3
        - in 4
        - start 10 es
        say 10 human
        - start 11 fr
        say 11 je veux un HUMAIN
        - start 12 en
        say 12 human
    ";
    check(
        workspace("balanced", 3, by_language()),
        steps,
        "
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by Balanced
        say 11 je veux un HUMAIN
          customer: je veux un HUMAIN
          ai: Connecting you to a live agent…
          chat 11 handed off
          chat 11 assigned to agent 3 by Balanced
        say 12 human
          customer: human
          ai: Connecting you to a live agent…
          chat 12 handed off
          chat 12 assigned to agent 1 by Balanced

    ",
    );
}

#[test]
fn availability_check_with_nobody_online_runs_the_no_agent_branch() {
    let handoff = json!({
        "availability_check": true,
        "assign": { "to": "all_users" },
        "on_no_agent": [
            { "id": 40, "action": "send_message", "text": "Nobody is free right now. What is your email?" },
            { "id": 41, "action": "set_chat_variable", "name": "email", "value": { "from": "next_reply" } },
            { "id": 42, "action": "send_message", "text": "We will write to {email}." }
        ]
    });
    let steps = "
        - in 1
        away 1
        - start 10 en
        say 10 human
        say 10 me@example.com
        online 1
        say 10 human
    ";
    check(
        workspace("balanced", 3, handoff),
        steps,
        "
        away 1
          agent 1 is Away
        say 10 human
          customer: human
          no agent available (no-agent branch: true)
          ai: Nobody is free right now. What is your email?
        say 10 me@example.com
          customer: me@example.com
          var email = me@example.com
          ai: We will write to me@example.com.
        online 1
          agent 1 is Online
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by Balanced

    ",
    );
}

#[test]
fn availability_check_with_an_empty_no_agent_branch_queues_and_says_so() {
    let handoff = json!({ "availability_check": true, "assign": { "to": "all_users" } });
    let steps = "
        - start 10 en
        say 10 human
        in 2
    ";
    check(
        workspace("balanced", 3, handoff),
        steps,
        "
        say 10 human
          customer: human
          no agent available (no-agent branch: false)
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 queued at position 1
        in 2
          agent 2 signed in
          chat 10 assigned to agent 2 by Balanced

    ",
    );
}

#[test]
fn voluntary_never_assigns_even_with_free_agents() {
    let steps = "
        - in 1
        - in 2
        - start 10 en
        say 10 human
        away 1
        online 1
        settings 5 voluntary 9
        claim 2 10 v1
    ";
    check(
        workspace("voluntary", 3, all_users()),
        steps,
        "
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 queued at position 1
        away 1
          agent 1 is Away
        online 1
          agent 1 is Online
        settings 5 voluntary 9
          assignment Voluntary, cap 9
        claim 2 10 v1
          chat 10 assigned to agent 2 by Claim

    ",
    );
}

/// Only an admin changes Chat Assignment, signed in or not (signing in is for taking chats);
/// a refused change leaves the queue as it was.
#[test]
fn only_an_admin_may_change_chat_assignment() {
    let steps = "
        - in 1
        - start 10 en
        - say 10 human
        - start 11 en
        - say 11 human
        settings 1 balanced 2
        settings 9 balanced 2
        settings 5 balanced 2
        settings 5 balanced 2
    ";
    check(
        workspace("balanced", 1, all_users()),
        steps,
        "
        settings 1 balanced 2
          rejected: agent 1 is not an admin
        settings 9 balanced 2
          rejected: there is no agent 9
        settings 5 balanced 2
          assignment Balanced, cap 2
          chat 11 assigned to agent 1 by Balanced
        settings 5 balanced 2
    ",
    );
}

/// The refusal as the settings' author reads it, by name.
#[test]
fn a_refused_change_of_chat_assignment_names_the_agent() {
    let workspace = workspace("balanced", 1, all_users());
    let mut engine = handoff::Engine::new(workspace.clone(), 7);
    let command = crate::support::parse("settings 2 voluntary 3");
    let refusal = engine.handle(handoff::Timestamp(1), command).expect_err("Ben is no admin");
    assert_eq!(refusal.in_words(&workspace), "Ben is not an admin: only admins may change Chat Assignment.");
}

#[test]
fn a_transfer_to_a_full_team_queues_until_a_member_frees_a_slot() {
    let steps = "
        - in 1
        - in 2
        - in 4
        - start 10 en
        say 10 human
        - start 11 en
        say 11 human
        - start 12 en
        say 12 human
        transfer 1 10 team 2
        close 4 12
    ";
    check(
        workspace("balanced", 1, all_users()),
        steps,
        "
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by Balanced
        say 11 human
          customer: human
          ai: Connecting you to a live agent…
          chat 11 handed off
          chat 11 assigned to agent 2 by Balanced
        say 12 human
          customer: human
          ai: Connecting you to a live agent…
          chat 12 handed off
          chat 12 assigned to agent 4 by Balanced
        transfer 1 10 team 2
          transferred from agent 1 to team 2
          chat 10 queued at position 1
        close 4 12
          closed by agent 4
          chat 10 assigned to agent 4 by Balanced
          ai: Thanks for chatting with us.
          ai asks for a rating: Rate us

    ",
    );
}

#[test]
fn closing_runs_trigger_actions_then_feedback_then_the_close_subtree_then_a_fresh_session() {
    let steps = "
        - in 1
        - start 10 en
        - say 10 human
        reply 1 10 Hello, Ana here
        close 1 10
        rate 10 4
        say 10 status
    ";
    check(
        workspace("balanced", 3, all_users()),
        steps,
        "
        reply 1 10 Hello, Ana here
          agent 1: Hello, Ana here
        close 1 10
          closed by agent 1
          ai: Thanks for chatting with us.
          ai asks for a rating: Rate us
        rate 10 4
          customer rated 4
          var rating = 4
          ai: Thank you!
          ai: Goodbye friend!
          new AI session
        say 10 status
          customer: status
          ai: Fresh session: no rating here.

    ",
    );
}

#[test]
fn a_message_instead_of_a_rating_skips_the_feedback_and_is_answered_in_the_fresh_session() {
    let steps = "
        - in 1
        - start 10 en
        - say 10 human
        - close 1 10
        say 10 status
        rate 10 4
    ";
    check(
        workspace("balanced", 3, all_users()),
        steps,
        "
        say 10 status
          customer: status
          feedback skipped
          ai: Goodbye friend!
          new AI session
          ai: Fresh session: no rating here.
        rate 10 4
          rejected: chat 10 is not asking for feedback

    ",
    );
}

#[test]
fn two_claims_of_one_chat_have_one_winner() {
    let steps = "
        - in 1
        - in 2
        - start 10 en
        - say 10 human
        claim 1 10 v1
        claim 2 10 v1
    ";
    check(
        workspace("voluntary", 3, all_users()),
        steps,
        "
        claim 1 10 v1
          chat 10 assigned to agent 1 by Claim
        claim 2 10 v1
          rejected: chat 10 was already taken by agent 1

    ",
    );
}

#[test]
fn an_away_agent_keeps_its_chats_and_gets_no_new_ones() {
    let steps = "
        - in 1
        - in 2
        - start 10 en
        say 10 human
        away 1
        reply 1 10 Still here for you
        - start 11 en
        say 11 human
        - start 12 en
        say 12 human
    ";
    check(
        workspace("balanced", 3, all_users()),
        steps,
        "
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by Balanced
        away 1
          agent 1 is Away
        reply 1 10 Still here for you
          agent 1: Still here for you
        say 11 human
          customer: human
          ai: Connecting you to a live agent…
          chat 11 handed off
          chat 11 assigned to agent 2 by Balanced
        say 12 human
          customer: human
          ai: Connecting you to a live agent…
          chat 12 handed off
          chat 12 assigned to agent 2 by Balanced

    ",
    );
}

#[test]
fn signing_out_hands_open_chats_back_to_the_queue() {
    let steps = "
        - in 1
        - in 2
        - start 10 en
        say 10 human
        - start 11 en
        say 11 human
        out 1
        in 3
    ";
    check(
        workspace("balanced", 1, all_users()),
        steps,
        "
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by Balanced
        say 11 human
          customer: human
          ai: Connecting you to a live agent…
          chat 11 handed off
          chat 11 assigned to agent 2 by Balanced
        out 1
          agent 1 signed out
          taken back from agent 1
          chat 10 queued at position 1
        in 3
          agent 3 signed in
          chat 10 assigned to agent 3 by Balanced

    ",
    );
}

#[test]
fn takeover_and_send_moves_the_chat_and_speaks_in_one_step() {
    let steps = "
        - in 1
        - in 2
        - in 5
        - start 10 en
        - say 10 human
        takeover 2 10 Let me help instead
        reply 1 10 Am I still here?
        takeover 5 10 An admin can step in too
    ";
    check(
        workspace("balanced", 3, all_users()),
        steps,
        "
        takeover 2 10 Let me help instead
          chat 10 assigned to agent 2 by Takeover
          agent 2: Let me help instead
        reply 1 10 Am I still here?
          rejected: agent 1 is not the assignee of chat 10
        takeover 5 10 An admin can step in too
          chat 10 assigned to agent 5 by Takeover
          agent 5: An admin can step in too

    ",
    );
}

#[test]
fn claims_are_checked_for_eligibility_version_and_presence() {
    let handoff = json!({
        "availability_check": true,
        "assign": { "to": "specific_users_or_teams", "targets": { "teams": [2] } }
    });
    let steps = "
        - in 1
        - in 2
        - in 4
        - start 10 en
        - say 10 human
        claim 1 10 v1
        claim 2 10 v0
        away 4
        claim 4 10 v1
        note 2 10 VIP customer, be kind
        note 1 10 I am not on this team
        claim 2 10 v1
    ";
    check(
        workspace("voluntary", 3, handoff),
        steps,
        "
        claim 1 10 v1
          rejected: agent 1 is not eligible for this chat
        claim 2 10 v0
          rejected: chat 10 changed since it was seen (version 0, now 1)
        away 4
          agent 4 is Away
        claim 4 10 v1
          rejected: agent 4 is Away and the availability check is on
        note 2 10 VIP customer, be kind
          note by agent 2: VIP customer, be kind
        note 1 10 I am not on this team
          rejected: agent 1 is not eligible for this chat
        claim 2 10 v1
          chat 10 assigned to agent 2 by Claim

    ",
    );
}

#[test]
fn a_customer_message_is_answered_by_nested_triggers_first_then_the_top_level() {
    let mut workspace = workspace("balanced", 3, all_users());
    let nested: handoff::workflow::Trigger = serde_json::from_value(json!({
        "id": 70, "trigger": "message_received", "intent": "menu", "training_phrases": ["menu"], "actions": [
            { "id": 71, "action": "send_message", "text": "Billing or shipping?", "buttons": ["Billing", "Shipping"],
              "triggers": [
                { "id": 72, "trigger": "message_received", "intent": "billing", "training_phrases": ["billing"],
                  "actions": [{ "id": 73, "action": "send_message", "text": "Billing it is." }] },
                { "id": 74, "trigger": "fallback", "actions": [{ "id": 75, "action": "send_message", "text": "Please pick one." }] }
              ] },
            { "id": 76, "action": "send_message", "text": "Anything else?" }
        ]
    }))
    .expect("a valid trigger");
    workspace.ai_agent.workflow.triggers.push(nested);
    let steps = "
        - start 10 en
        say 10 menu
        say 10 hmm
        say 10 BILLING please
        say 10 menu
        say 10 status
    ";
    check(
        workspace,
        steps,
        "
        say 10 menu
          customer: menu
          ai: Billing or shipping? [Billing | Shipping]
        say 10 hmm
          customer: hmm
          ai: Please pick one.
        say 10 BILLING please
          customer: BILLING please
          ai: Billing it is.
          ai: Anything else?
        say 10 menu
          customer: menu
          ai: Billing or shipping? [Billing | Shipping]
        say 10 status
          customer: status
          ai: Fresh session: no rating here.

    ",
    );
}

#[test]
fn a_transfer_to_an_agent_may_exceed_the_cap_and_frees_a_slot_for_the_queue() {
    let steps = "
        - in 1
        - in 2
        - start 10 en
        say 10 human
        - start 11 en
        say 11 human
        - start 12 en
        say 12 human
        transfer 1 10 agent 2
        transfer 2 10 agent 2
        transfer 2 10 agent 4
    ";
    check(
        workspace("balanced", 1, all_users()),
        steps,
        "
        say 10 human
          customer: human
          ai: Connecting you to a live agent…
          chat 10 handed off
          chat 10 assigned to agent 1 by Balanced
        say 11 human
          customer: human
          ai: Connecting you to a live agent…
          chat 11 handed off
          chat 11 assigned to agent 2 by Balanced
        say 12 human
          customer: human
          ai: Connecting you to a live agent…
          chat 12 handed off
          chat 12 queued at position 1
        transfer 1 10 agent 2
          transferred from agent 1 to agent 2
          chat 10 assigned to agent 2 by Transfer
          chat 12 assigned to agent 1 by Balanced
        transfer 2 10 agent 2
          rejected: the chat is with agent 2 already
        transfer 2 10 agent 4
          rejected: agent 4 is not signed in

    ",
    );
}

#[test]
fn a_jump_inside_the_hand_back_still_runs_the_close_subtree_and_starts_a_fresh_session() {
    let mut workspace = workspace("balanced", 3, all_users());
    let closed = workspace
        .ai_agent
        .workflow
        .triggers
        .iter_mut()
        .find(|trigger| trigger.kind == handoff::workflow::TriggerKind::ChatClosedByLiveAgent)
        .expect("the starter has one");
    closed.actions = serde_json::from_value(json!([
        { "id": 60, "action": "send_message", "text": "Thanks!" },
        { "id": 61, "action": "jump_to", "target": 9 }
    ]))
    .expect("valid actions");
    let steps = "
        - in 1
        - start 10 en
        - say 10 human
        close 1 10
        say 10 status
    ";
    check(
        workspace,
        steps,
        "
        close 1 10
          closed by agent 1
          ai: Thanks!
          ai: Sorry, I did not get that.
          ai: Goodbye friend!
          new AI session
        say 10 status
          customer: status
          ai: Fresh session: no rating here.

    ",
    );
}

/// With the availability check on or off, a transfer never gives a chat to an agent who is Away
/// or signed out (SPEC: Away agents keep the chats they have and receive no new ones).
#[test]
fn a_transfer_to_an_away_or_signed_out_agent_is_refused() {
    for check_on in [true, false] {
        let handoff = json!({ "availability_check": check_on, "assign": { "to": "all_users" } });
        check(
            workspace("balanced", 3, handoff),
            "
            - in 1
            - in 2
            - away 2
            - start 10 en
            - say 10 human
            transfer 1 10 agent 2
            transfer 1 10 agent 3
            online 2
            transfer 1 10 agent 2
            ",
            "
            transfer 1 10 agent 2
              rejected: agent 2 is Away and receives no new chats
            transfer 1 10 agent 3
              rejected: agent 3 is not signed in
            online 2
              agent 2 is Online
            transfer 1 10 agent 2
              transferred from agent 1 to agent 2
              chat 10 assigned to agent 2 by Transfer
            ",
        );
    }
}

/// Refusals in a person's words name the people, as the inbox shows them.
#[test]
fn refusals_in_words_name_the_agents() {
    use handoff::protocol::Rejection;
    use handoff::{AgentId, ChatId};
    let workspace = workspace("balanced", 3, all_users());
    let cases = [
        (Rejection::Away { agent: AgentId(2) }, "Ben is Away: Away agents receive no new chats."),
        (Rejection::NotSignedIn { agent: AgentId(3) }, "Chloé is not signed in."),
        (
            Rejection::AlreadyYours { chat: ChatId(10), agent: AgentId(1) },
            "Ana has chat #10 already: there is nothing to claim.",
        ),
        (Rejection::AlreadyTaken { chat: ChatId(10), by: AgentId(2) }, "Someone else was quicker: Ben took this chat."),
        (
            Rejection::NotTheChatSeen { chat: ChatId(10), seen: 5, current: 1 },
            "Chat #10 is not the chat on your screen: the saved conversations were reset or restored since. Look again.",
        ),
        (Rejection::SameAgent { agent: AgentId(4) }, "The chat is with Dev already."),
        (Rejection::UnknownAgent { agent: AgentId(9) }, "There is no agent 9 in this teamspace."),
    ];
    for (rejection, words) in cases {
        assert_eq!(rejection.in_words(&workspace), words, "{rejection:?}");
    }
}

/// A claim of one's own chat says so, and a claim naming a version the chat never had says the
/// screen showed other conversations, instead of "already taken" and "changed since it was seen".
#[test]
fn claims_of_ones_own_chat_or_of_a_version_never_seen_say_what_happened() {
    check(
        workspace("voluntary", 3, all_users()),
        "
        - in 1
        - in 2
        - start 10 en
        - say 10 human
        claim 1 10 v5
        claim 1 10 v1
        claim 1 10 v2
        claim 2 10 v2
        ",
        "
        claim 1 10 v5
          rejected: chat 10 is not the chat that was seen (it has had 1 changes, the screen showed change 5): the conversations were reset or restored since
        claim 1 10 v1
          chat 10 assigned to agent 1 by Claim
        claim 1 10 v2
          rejected: chat 10 is with agent 1 already
        claim 2 10 v2
          rejected: chat 10 was already taken by agent 1
        ",
    );
}

/// SPEC: a chat's place is one plus the older pending chats that could be given to one of its
/// eligible agents before it. Ben alone takes French chats, and also Spanish ones: a Spanish chat
/// queued first is ahead of a French one, which is told 2nd, not 1st.
#[test]
fn a_place_in_the_queue_counts_older_chats_competing_for_the_same_agents() {
    let handoff = json!({ "availability_check": false, "assign": {
        "to": "specific_users_or_teams", "targets": { "teams": [1] },
        "by_language": { "fr": { "use": "own", "agents": [2] }, "es": { "use": "default" } } } });
    let mut engine = handoff::Engine::new(workspace("balanced", 1, handoff), 7);
    let told = crate::support::run(
        &mut engine,
        "
        - in 1
        - in 2
        - start 10 en
        - say 10 human
        - start 11 en
        - say 11 human
        - start 12 es
        say 12 humain
        - start 13 fr
        say 13 humain
        ",
    );
    assert!(told.contains("chat 12 queued at position 1"), "{told}");
    assert!(told.contains("chat 13 queued at position 2"), "{told}");
    let (spanish, french) = (handoff::ChatId(12), handoff::ChatId(13));
    assert_eq!((engine.queue_place(spanish), engine.queue_place(french)), (Some(1), Some(2)));
    assert_eq!(engine.explain(french).and_then(|explanation| explanation.queue_position), Some(2));

    // Ben's slot opens: the Spanish chat, older, is served first, and the French one moves up.
    let served = crate::support::run(&mut engine, "close 2 11");
    assert!(served.contains("chat 12 assigned to agent 2 by Balanced"), "{served}");
    assert_eq!(engine.queue_place(french), Some(1));
    assert_eq!(engine.explain(french).and_then(|explanation| explanation.queue_position), Some(1));
    let places = engine.queue_places();
    assert_eq!((places.get(&french), places.len()), (Some(&1), 1));
}

/// SPEC: Collect Feedback takes an optional comment with the rating, where the action asks for one.
#[test]
fn a_rating_carries_an_optional_comment_where_the_action_asks_for_one() {
    let steps = "
        - in 1
        - start 10 en
        - say 10 human
        close 1 10
        rate 10 4   Quick and kind  
    ";
    let mut asking = workspace("balanced", 3, all_users());
    handoff::workflow::for_each_action_mut(&mut asking.ai_agent.workflow.triggers, &mut |action| {
        if let handoff::workflow::ActionKind::CollectFeedback(feedback) = &mut action.kind {
            feedback.comment = true;
        }
    });
    let mut engine = handoff::Engine::new(asking, 7);
    let out = crate::support::run(&mut engine, steps);
    assert!(out.contains("customer rated 4: Quick and kind\n"), "{out}");

    // Without the setting the comment is not kept.
    let mut engine = handoff::Engine::new(workspace("balanced", 3, all_users()), 7);
    let out = crate::support::run(&mut engine, steps);
    assert!(out.contains("customer rated 4\n"), "{out}");

    // The widget asks for a comment while the starter's Collect Feedback waits.
    let mut engine = handoff::Engine::new(handoff::starter_workspace(), 7);
    crate::support::run(&mut engine, "- in 2\n- start 1 fr\n- say 1 parler à un humain");
    assert!(!engine.asks_for_comment(handoff::ChatId(1)));
    crate::support::run(&mut engine, "- close 2 1");
    assert!(engine.asks_for_comment(handoff::ChatId(1)));
}
