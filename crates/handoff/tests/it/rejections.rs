//! A rejection's JSON: what the server answers a refused command with, and what the app reads.

use handoff::{AgentId, ChatId, Language, Rejection, TeamId};
use serde_json::json;

/// Every variant, with its document.
fn every_rejection() -> Vec<(Rejection, serde_json::Value)> {
    let (agent, chat) = (AgentId(2), ChatId(7));
    vec![
        (Rejection::UnknownAgent { agent }, json!({"rejection": "unknown_agent", "agent": 2})),
        (Rejection::UnknownTeam { team: TeamId(3) }, json!({"rejection": "unknown_team", "team": 3})),
        (Rejection::UnknownChat { chat }, json!({"rejection": "unknown_chat", "chat": 7})),
        (Rejection::ChatExists { chat }, json!({"rejection": "chat_exists", "chat": 7})),
        (
            Rejection::UnsupportedLanguage { language: Language::new("de") },
            json!({"rejection": "unsupported_language", "language": "de"}),
        ),
        (Rejection::EmptyMessage, json!({"rejection": "empty_message"})),
        (Rejection::NotSignedIn { agent }, json!({"rejection": "not_signed_in", "agent": 2})),
        (Rejection::NotOnline { agent }, json!({"rejection": "not_online", "agent": 2})),
        (Rejection::NotEligible { agent }, json!({"rejection": "not_eligible", "agent": 2})),
        (Rejection::AlreadyYours { chat, agent }, json!({"rejection": "already_yours", "chat": 7, "agent": 2})),
        (
            Rejection::NotTheChatSeen { chat, seen: 4, current: 5 },
            json!({"rejection": "not_the_chat_seen", "chat": 7, "seen": 4, "current": 5}),
        ),
        (Rejection::Away { agent }, json!({"rejection": "away", "agent": 2})),
        (Rejection::AlreadyTaken { chat, by: agent }, json!({"rejection": "already_taken", "chat": 7, "by": 2})),
        (
            Rejection::StaleVersion { chat, seen: 4, current: 5 },
            json!({"rejection": "stale_version", "chat": 7, "seen": 4, "current": 5}),
        ),
        (Rejection::NotPending { chat }, json!({"rejection": "not_pending", "chat": 7})),
        (Rejection::NotAssignee { chat, agent }, json!({"rejection": "not_assignee", "chat": 7, "agent": 2})),
        (Rejection::NotWithLiveAgent { chat }, json!({"rejection": "not_with_live_agent", "chat": 7})),
        (Rejection::NotAskingForFeedback { chat }, json!({"rejection": "not_asking_for_feedback", "chat": 7})),
        (Rejection::RatingOutOfRange { rating: 9 }, json!({"rejection": "rating_out_of_range", "rating": 9})),
        (Rejection::SameAgent { agent }, json!({"rejection": "same_agent", "agent": 2})),
        (Rejection::NotAdmin { agent }, json!({"rejection": "not_admin", "agent": 2})),
    ]
}

#[test]
fn every_rejection_is_written_tagged_and_read_back_the_same() {
    for (rejection, document) in every_rejection() {
        assert_eq!(serde_json::to_value(&rejection).expect("writes"), document, "{rejection:?}");
        let read: Rejection = serde_json::from_value(document.clone()).expect("reads");
        assert_eq!(read, rejection, "{document}");
        // The tag may come anywhere in the object, and fields of no variant are ignored.
        let mut fields = document.as_object().expect("an object").clone();
        let tag = fields.remove("rejection").expect("tagged");
        let mut parts = vec![r#""extra": true"#.to_owned()];
        parts.extend(fields.iter().map(|(name, value)| format!("{name:?}: {value}")));
        parts.push(format!(r#""rejection": {tag}"#));
        let reordered = format!("{{{}}}", parts.join(", "));
        let read: Rejection = serde_json::from_str(&reordered).unwrap_or_else(|error| panic!("{reordered}: {error}"));
        assert_eq!(read, rejection, "{reordered}");
    }
}

#[test]
fn a_rejection_missing_a_field_or_of_an_unknown_kind_is_refused_in_words() {
    let refused = |text: &str| serde_json::from_str::<Rejection>(text).expect_err(text).to_string();
    assert!(refused(r#"{"rejection": "already_taken", "chat": 7}"#).contains("missing field `by`"));
    assert!(refused(r#"{"rejection": "taken_by_aliens", "chat": 7}"#).contains("unknown variant `taken_by_aliens`"));
    assert!(refused(r#"{"chat": 7}"#).contains("missing field `rejection`"));
    assert!(refused(r#"{"rejection": "unknown_chat", "chat": "seven"}"#).contains("invalid type"));
    assert!(refused(r#"{"rejection": "unknown_chat", "chat": 7, "chat": 8}"#).contains("duplicate field `chat`"));
}
