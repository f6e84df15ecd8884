//! What the customer's widget offers besides typing, after each step of a chat.

use handoff::widget::{Offer, offer};
use handoff::{ChatId, Engine, RATINGS};
use serde_json::json;

use crate::support::{all_users, run, workspace};

/// Each row: a step, and what the widget offers after it.
#[test]
fn the_widget_offers_the_last_messages_quick_replies_or_a_rating() {
    let mut workspace = workspace("balanced", 3, all_users());
    let menu: handoff::workflow::Trigger = serde_json::from_value(json!({
        "id": 70, "trigger": "message_received", "intent": "menu", "training_phrases": ["menu"], "actions": [
            { "id": 71, "action": "send_message", "text": "Billing or shipping?", "buttons": ["Billing", "Shipping"] }
        ]
    }))
    .expect("a valid trigger");
    workspace.ai_agent.workflow.triggers.push(menu);
    let mut engine = Engine::new(workspace, 7);
    let buttons = |words: &[&str]| Some(Offer::Buttons(words.iter().map(|word| word.to_string()).collect()));
    let rows: [(&str, Option<Offer>); 7] = [
        ("- in 1", None),
        ("- start 10 en", None),
        ("- say 10 menu", buttons(&["Billing", "Shipping"])),
        ("- say 10 hmm", None),
        ("- say 10 menu", buttons(&["Billing", "Shipping"])),
        ("- say 10 human", None),
        ("- close 1 10", Some(Offer::Rating)),
    ];
    for (step, expected) in rows {
        run(&mut engine, step);
        assert_eq!(offer(&engine, ChatId(10)), expected, "after {step}");
    }
    run(&mut engine, "- rate 10 4");
    assert_eq!(offer(&engine, ChatId(10)), None, "rated");
    assert_eq!(offer(&engine, ChatId(99)), None, "no such chat");
    assert_eq!(RATINGS.collect::<Vec<u8>>(), [1, 2, 3, 4, 5], "the rating buttons");
}
