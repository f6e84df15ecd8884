//! What the customer's chat widget offers besides a text box: the quick-reply buttons of the
//! message the flow waits on, or rating buttons while Collect Feedback waits for a rating.

use crate::engine::Engine;
use crate::ids::ChatId;
use crate::protocol::{Event, Waiting};

/// What the customer may answer with by pressing a button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// The quick replies of the last message the customer saw; pressing one sends its words.
    Buttons(Vec<String>),
    /// A rating, one of `protocol::RATINGS`; `Engine::asks_for_comment` says whether a comment
    /// may follow.
    Rating,
}

/// The buttons the customer may press now; `None` when there are none (the chat is with a
/// live agent, the last thing the customer saw offered no quick replies, or no such chat).
/// Quick replies are offered only while the flow waits for a message to match, and only those
/// of the newest line the customer sees.
pub fn offer(engine: &Engine, chat: ChatId) -> Option<Offer> {
    let found = engine.chat(chat)?;
    match &found.waiting {
        Waiting::Feedback { .. } => Some(Offer::Rating),
        Waiting::Message { .. } => match found.transcript.iter().rev().find(|event| event.is_visible_to_customer()) {
            Some(Event::AiMessage { buttons, .. }) if !buttons.is_empty() => Some(Offer::Buttons(buttons.clone())),
            _ => None,
        },
        Waiting::Reply { .. } | Waiting::LiveAgent { .. } | Waiting::Ended => None,
    }
}
