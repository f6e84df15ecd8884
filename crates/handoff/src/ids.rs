//! Typed ids, time and languages: the small values every other module passes around.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($label, " {}"), self.0)
            }
        }
    };
}

typed_id!(
    /// A live agent (a user of the teamspace).
    AgentId,
    "agent"
);
typed_id!(
    /// A team of live agents.
    TeamId,
    "team"
);
typed_id!(
    /// A customer's chat. New ids are chosen by the caller, never by the engine.
    ChatId,
    "chat"
);
typed_id!(
    /// A trigger or action of the workflow tree.
    NodeId,
    "node"
);

/// Milliseconds since an epoch the caller chooses. The engine never reads a clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    pub fn millis_since(self, earlier: Timestamp) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// A language code such as `en` or `fr`, as the AI agent's settings name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Language(pub String);

impl Language {
    pub fn new(code: &str) -> Language {
        Language(code.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
