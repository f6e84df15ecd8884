//! The one module of the app that touches Web Storage (`localStorage` and `sessionStorage`);
//! the conversations' journal in IndexedDB is `backend`'s (see ARCHITECTURE.md).

/// Where the admin's workspace document is kept.
pub const WORKSPACE_KEY: &str = "handoff-studio/workspace";

/// How much of each chat each live agent has read in this browser (`inbox::unread`).
pub const SEEN_KEY: &str = "handoff-studio/seen";

/// Whether the agent turned on sounds and notifications for new chats.
pub const NOTIFY_KEY: &str = "handoff-studio/notify";

fn local_storage() -> Result<web_sys::Storage, String> {
    let window = web_sys::window().ok_or("there is no browser window")?;
    match window.local_storage() {
        Ok(Some(storage)) => Ok(storage),
        _ => Err("the browser's storage is not available (private mode, or blocked)".to_owned()),
    }
}

/// The stored text, `None` if nothing is stored yet.
pub fn read(key: &str) -> Result<Option<String>, String> {
    local_storage()?.get_item(key).map_err(|_| "the browser refused to read its storage".to_owned())
}

pub fn write(key: &str, value: &str) -> Result<(), String> {
    local_storage()?
        .set_item(key, value)
        .map_err(|_| "the browser refused to save (its storage may be full)".to_owned())
}

/// Calls `changed` with the new text whenever another tab of this browser changes `key`
/// (`None` when it was removed), until the returned handle is removed.
pub fn on_change_elsewhere(
    key: &'static str,
    changed: impl Fn(Option<String>) + 'static,
) -> leptos::prelude::WindowListenerHandle {
    leptos::prelude::window_event_listener(leptos::ev::storage, move |event| {
        if event.key().as_deref() == Some(key) {
            changed(event.new_value());
        }
    })
}

/// This tab's own storage (`sessionStorage`): what one tab is doing, such as who is signed in
/// here, kept across a reload of the tab but not shared with other tabs.
pub mod tab {
    fn session_storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    pub fn read(key: &str) -> Option<String> {
        session_storage()?.get_item(key).ok().flatten()
    }

    /// Stores `value`, or forgets the key for `None`. Losing it only costs a reload's memory.
    pub fn write(key: &str, value: Option<&str>) {
        if let Some(storage) = session_storage() {
            let _ = match value {
                Some(value) => storage.set_item(key, value),
                None => storage.remove_item(key),
            };
        }
    }
}

/// Unsent text, per box: kept in `localStorage`, so a reload or a closed tab loses no typing.
/// A draft that cannot be stored costs only the draft: the box itself keeps working.
pub mod drafts {
    fn key(owner: &str, chat: handoff::ChatId) -> String {
        format!("handoff-studio/draft/{owner}/chat-{}", chat.0)
    }

    /// The agent's reply box for a chat.
    pub fn agent(agent: handoff::AgentId, chat: handoff::ChatId) -> String {
        key(&format!("agent-{}", agent.0), chat)
    }

    /// The customer's box in the preview's widget.
    pub fn customer(chat: handoff::ChatId) -> String {
        key("customer", chat)
    }

    pub fn read(key: &str) -> String {
        super::read(key).ok().flatten().unwrap_or_default()
    }

    /// Forgets every draft, when the conversations they belong to are deleted.
    pub fn forget_all() {
        let Ok(storage) = super::local_storage() else { return };
        let count = storage.length().unwrap_or(0);
        let keys: Vec<String> = (0..count).filter_map(|index| storage.key(index).ok().flatten()).collect();
        for key in keys.iter().filter(|key| key.starts_with("handoff-studio/draft/")) {
            let _ = storage.remove_item(key);
        }
    }

    /// Keeps `text`, or forgets the draft when it is empty.
    pub fn write(key: &str, text: &str) {
        let Ok(storage) = super::local_storage() else { return };
        let _ = match text.is_empty() {
            true => storage.remove_item(key),
            false => storage.set_item(key, text),
        };
    }
}
