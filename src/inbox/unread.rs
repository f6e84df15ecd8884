//! What the agent has not read: the chats in Mine with an assignment or a customer's message
//! since the chat was last open on their screen (`handoff::inbox::unread` decides), and, when the
//! agent turns it on with a click, a beep and a desktop notification for each newly unread chat.

use std::collections::BTreeMap;

use handoff::{AgentId, ChatId};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::backend::Backend;
use crate::storage;

/// How many lines of each chat's transcript each agent has seen, kept in this browser.
#[derive(Clone, Copy)]
pub struct Seen(RwSignal<BTreeMap<(u32, u32), usize>>);

/// Provides the seen marks as this browser last left them, and keeps them.
pub fn provide_seen() {
    let marks = storage::read(storage::SEEN_KEY).ok().flatten().map(|text| parse(&text)).unwrap_or_default();
    let seen = Seen(RwSignal::new(marks));
    Effect::new(move |_| {
        let text = seen.0.with(write);
        let _ = storage::write(storage::SEEN_KEY, &text);
    });
    provide_context(seen);
}

fn parse(text: &str) -> BTreeMap<(u32, u32), usize> {
    text.split(',')
        .filter_map(|mark| {
            let mut parts = mark.split(':').map(str::parse::<u64>);
            let (Some(Ok(agent)), Some(Ok(chat)), Some(Ok(lines))) = (parts.next(), parts.next(), parts.next()) else {
                return None;
            };
            Some(((u32::try_from(agent).ok()?, u32::try_from(chat).ok()?), usize::try_from(lines).ok()?))
        })
        .collect()
}

fn write(marks: &BTreeMap<(u32, u32), usize>) -> String {
    marks.iter().map(|((agent, chat), lines)| format!("{agent}:{chat}:{lines}")).collect::<Vec<_>>().join(",")
}

fn use_seen() -> Option<Seen> {
    use_context::<Seen>()
}

/// The agent has read the chat up to its `lines`th transcript line.
pub fn mark_seen(agent: AgentId, chat: ChatId, lines: usize) {
    if let Some(seen) = use_seen() {
        let key = (agent.0, chat.0);
        if seen.0.with_untracked(|marks| marks.get(&key) != Some(&lines)) {
            seen.0.update(|marks| {
                marks.insert(key, lines);
            });
        }
    }
}

/// The agent's unread chats (tracked).
pub fn unread_chats(backend: Backend, agent: AgentId) -> Vec<ChatId> {
    let read = |marks: &BTreeMap<(u32, u32), usize>| {
        backend.read(|engine| {
            handoff::inbox::unread(engine, agent, |chat| marks.get(&(agent.0, chat.0)).copied().unwrap_or(0))
        })
    };
    match use_seen() {
        Some(seen) => seen.0.with(read),
        None => read(&BTreeMap::new()),
    }
}

/// "Notify me of new chats": off until the agent clicks it; the browser's permission is asked
/// for on that click, never on load. While on, each newly unread chat beeps and, if the browser
/// allows, shows a desktop notification.
#[component]
pub fn NotifyToggle(unread: Memo<Vec<ChatId>>) -> impl IntoView {
    let on = RwSignal::new(storage::read(storage::NOTIFY_KEY).ok().flatten().as_deref() == Some("on"));
    let toggle = move |_| {
        let now_on = !on.get_untracked();
        on.set(now_on);
        let _ = storage::write(storage::NOTIFY_KEY, if now_on { "on" } else { "off" });
        if now_on && web_sys::Notification::permission() == web_sys::NotificationPermission::Default {
            let _ = web_sys::Notification::request_permission();
        }
    };
    Effect::new(move |previous: Option<Vec<ChatId>>| {
        let now = unread.get();
        if let Some(before) = previous
            && on.get_untracked()
        {
            for chat in now.iter().filter(|chat| !before.contains(chat)) {
                alert(*chat);
            }
        }
        now
    });
    view! {
        <button type="button" class="button notify" aria-pressed=move || on.get().to_string() on:click=toggle>
            {move || if on.get() { "Notifications on" } else { "Notify me of new chats" }}
        </button>
    }
}

/// A short beep made in code, and a desktop notification where the agent allowed them.
fn alert(chat: ChatId) {
    beep();
    if web_sys::Notification::permission() == web_sys::NotificationPermission::Granted {
        let options = web_sys::NotificationOptions::new();
        options.set_body("A customer is waiting for your answer.");
        options.set_tag(&format!("chat-{}", chat.0));
        let _ = web_sys::Notification::new_with_options(&format!("Chat #{} needs you", chat.0), &options);
    }
}

fn beep() {
    let Ok(context) = web_sys::AudioContext::new() else { return };
    let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else { return };
    oscillator.frequency().set_value(880.0);
    gain.gain().set_value(0.1);
    let _ = oscillator.connect_with_audio_node(&gain);
    let _ = gain.connect_with_audio_node(&context.destination());
    let start = context.current_time();
    let _ = oscillator.start_with_when(start);
    let _ = oscillator.stop_with_when(start + 0.15);
    // The context is closed once the beep has played, so contexts do not pile up.
    let close = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = context.close();
    });
    let _ = web_sys::window()
        .map(|window| window.set_timeout_with_callback_and_timeout_and_arguments_0(close.unchecked_ref(), 300));
}
