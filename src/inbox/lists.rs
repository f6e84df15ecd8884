//! The inbox's lists: a tab per folder with its count, a search and filters by language and
//! team, and the chats, a page at a time so that ten thousand of them stay quick to show and
//! to scroll. Which chats are in which folder, and their order, is `handoff::inbox`'s to say.

use handoff::inbox::{Filter, Folder, Row, counts, page};
use handoff::workspace::Role;
use handoff::{AgentId, ChatStage, Engine, Event, Language, TeamId, Timestamp};
use leptos::prelude::*;

use super::transcript::{elapsed, language_name, ordinal};
use super::{Identity, ticking_clock, use_identity};
use crate::backend::Backend;

/// How many rows a list shows before "Show more".
pub const PAGE: usize = 50;

/// A row as drawn: everything it shows, so that a row is redrawn exactly when it changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Summary {
    row: Row,
    language: Language,
    /// The assignee's name while open.
    with: Option<String>,
    status: ChatStage,
    /// The latest message, shortened.
    latest: String,
    /// Something in it the agent has not read.
    unread: bool,
}

fn summarize(engine: &Engine, row: Row, unread: &[handoff::ChatId]) -> Option<Summary> {
    let chat = engine.chat(row.chat)?;
    let with = chat.status.assignee().and_then(|assignee| engine.workspace().teamspace.agent(assignee));
    let with = with.map(|agent| agent.name.clone());
    let latest = chat.transcript.iter().rev().find_map(|event| match event {
        Event::CustomerMessage { text, .. } | Event::AgentMessage { text, .. } | Event::AiMessage { text, .. } => {
            Some(text.chars().take(80).collect::<String>())
        }
        _ => None,
    });
    Some(Summary {
        row,
        language: chat.language.clone(),
        with,
        status: chat.status.stage(),
        latest: latest.unwrap_or_default(),
        unread: unread.contains(&row.chat),
    })
}

/// What a row is keyed by: everything it shows but its queue place, which it reads itself.
fn row_key(summary: &Summary) -> Summary {
    let mut key = summary.clone();
    key.row.queue_position = None;
    key
}

#[component]
pub fn ChatLists(
    backend: Backend,
    agent: AgentId,
    role: Role,
    folder: RwSignal<Folder>,
    unread: Memo<Vec<handoff::ChatId>>,
) -> impl IntoView {
    let identity = use_identity();
    let clock = ticking_clock();
    let filter = RwSignal::new(Filter::default());
    let shown = RwSignal::new(PAGE);
    let counts = Memo::new(move |_| backend.read(|engine| counts(engine, agent)));
    // The rows shown, and how many the folder holds with the filter.
    let listed = Memo::new(move |_| {
        let (folder, shown) = (folder.get(), shown.get());
        filter.with(|filter| backend.read(|engine| page(engine, agent, folder, filter, shown)))
    });
    let total = move || listed.with(|(_, total)| *total);
    let visible = Memo::new(move |_| {
        let unread = unread.get();
        listed.with(|(rows, _)| {
            backend.read(|engine| rows.iter().filter_map(|row| summarize(engine, *row, &unread)).collect::<Vec<_>>())
        })
    });
    // A new folder or filter starts at its first page.
    Effect::new(move |_| {
        folder.track();
        filter.track();
        shown.set(PAGE);
    });
    let tabs = folder_tabs(role, folder, counts, unread);
    let filters = search_and_filters(backend, filter);
    // Queue places move up for every waiting chat when one is served: each row reads its place
    // here, so a claim updates those texts instead of drawing every row again.
    let places = Memo::new(move |_| {
        visible
            .with(|rows| rows.iter().map(|summary| (summary.row.chat, summary.row.queue_position)).collect::<Vec<_>>())
    });
    let more = move || {
        let left = total().saturating_sub(shown.get());
        (left > 0).then(|| {
            view! {
                <button type="button" class="button show-more" on:click=move |_| shown.update(|shown| *shown += PAGE)>
                    {format!("Show {} more of {left}", left.min(PAGE))}
                </button>
            }
        })
    };
    view! {
        <section class="chat-lists" aria-label="Chats">
            <div role="tablist" aria-label="Folders" class="folders">{tabs}</div>
            {filters}
            <div
                role="tabpanel"
                id="chat-list"
                class="chat-list"
                aria-labelledby=move || tab_id(folder.get())
            >
                <p class="visually-hidden" role="status">
                    {move || match total() {
                        1 => "1 chat".to_owned(),
                        count => format!("{count} chats"),
                    }}
                </p>
                <Show when=move || visible.with(|rows| !rows.is_empty()) fallback=move || no_chats(filter, folder)>
                    <ul class="chat-rows">
                        <For each=move || visible.get() key=row_key children=move |summary| chat_row(summary, places, clock, identity)/>
                    </ul>
                </Show>
                {move || more()}
            </div>
        </section>
    }
}

/// The folders' tabs, each with its count (and Mine with how many are unread); the arrow keys
/// move between them.
fn folder_tabs(
    role: Role,
    folder: RwSignal<Folder>,
    counts: Memo<[usize; 4]>,
    unread: Memo<Vec<handoff::ChatId>>,
) -> impl IntoView {
    let folders: Vec<Folder> = Folder::ALL.into_iter().filter(|folder| folder.shown_to(role)).collect();
    folders
        .iter()
        .enumerate()
        .map(|(index, &this)| {
            let count = move || counts.with(|counts| counts[this.index()]);
            let (previous, next) =
                (folders[(index + folders.len() - 1) % folders.len()], folders[(index + 1) % folders.len()]);
            let keydown = move |event: leptos::ev::KeyboardEvent| {
                let target = match event.key().as_str() {
                    "ArrowRight" => next,
                    "ArrowLeft" => previous,
                    _ => return,
                };
                event.prevent_default();
                folder.set(target);
                focus(&tab_id(target));
            };
            view! {
                <button
                    type="button"
                    role="tab"
                    id=tab_id(this)
                    aria-controls="chat-list"
                    aria-selected=move || (folder.get() == this).to_string()
                    tabindex=move || if folder.get() == this { "0" } else { "-1" }
                    on:click=move |_| folder.set(this)
                    on:keydown=keydown
                >
                    {this.label()}
                    " "
                    <span class="count">{move || count()}</span>
                    {move || (this == Folder::Mine).then(|| unread.with(Vec::len)).filter(|count| *count > 0).map(|count| view! {
                        <span class="unread-count">{format!(", {count} unread")}</span>
                    })}
                </button>
            }
        })
        .collect_view()
}

/// The search box and the language and team filters, with the workspace's languages and teams
/// as they are when the lists are drawn.
fn search_and_filters(backend: Backend, filter: RwSignal<Filter>) -> impl IntoView {
    let (languages, teams) = backend.read_untracked(|engine| {
        let workspace = engine.workspace();
        let languages: Vec<Language> = workspace.ai_agent.languages().cloned().collect();
        let teams: Vec<(TeamId, String)> =
            workspace.teamspace.teams.iter().map(|team| (team.id, team.name.clone())).collect();
        (languages, teams)
    });
    let language_options = languages
        .into_iter()
        .map(|language| view! { <option value=language.as_str().to_owned()>{language_name(&language)}</option> })
        .collect_view();
    let team_options =
        teams.into_iter().map(|(id, name)| view! { <option value=id.0.to_string()>{name}</option> }).collect_view();
    view! {
        <div class="filters">
            <input
                type="search"
                aria-label="Search chats"
                placeholder="Search: #12 or words"
                prop:value=move || filter.with(|filter| filter.query.clone())
                on:input=move |event| filter.update(|filter| filter.query = event_target_value(&event))
            />
            <select
                aria-label="Language"
                on:change=move |event| {
                    let code = event_target_value(&event);
                    filter.update(|filter| filter.language = (!code.is_empty()).then_some(Language(code)));
                }
            >
                <option value="">"All languages"</option>
                {language_options}
            </select>
            <select
                aria-label="Team"
                on:change=move |event| {
                    let team = event_target_value(&event).parse().ok().map(TeamId);
                    filter.update(|filter| filter.team = team);
                }
            >
                <option value="">"All teams"</option>
                {team_options}
            </select>
        </div>
    }
}

/// One chat of the list: its number, language, how long it has waited or whom it is with, and
/// its latest message. Its queue place is read from `places`, not from the row.
fn chat_row(
    summary: Summary,
    places: Memo<Vec<(handoff::ChatId, Option<usize>)>>,
    clock: ReadSignal<Timestamp>,
    identity: Identity,
) -> impl IntoView {
    let chat = summary.row.chat;
    let status = summary.status;
    let since = summary.row.since;
    let place = move || places.with(|places| places.iter().find(|(id, _)| *id == chat).and_then(|(_, place)| *place));
    let with = summary.with.clone();
    let is_unread = summary.unread;
    let when = move || {
        let ago = elapsed(clock.get(), since);
        match status {
            ChatStage::Pending { .. } => match place() {
                Some(place) => format!("waiting {ago} · {} in queue", ordinal(place)),
                None => format!("waiting {ago}"),
            },
            ChatStage::Open { .. } => format!("with {} · {ago}", with.clone().unwrap_or_default()),
            ChatStage::Closed { .. } | ChatStage::Bot if ago == "just now" => "closed just now".to_owned(),
            ChatStage::Closed { .. } | ChatStage::Bot => format!("closed {ago} ago"),
        }
    };
    view! {
        <li>
            <button
                type="button"
                class="chat-row"
                class:unread=is_unread
                aria-current=move || (identity.chat.get() == Some(chat)).then_some("true")
                on:click=move |_| identity.chat.set(Some(chat))
            >
                <span class="chat-number">{format!("Chat #{}", chat.0)}</span>
                {is_unread.then(|| view! { <span class="tag unread-tag">"Unread"</span> })}
                <span class="badge">{summary.language.as_str().to_owned()}</span>
                <span class="row-when">{move || when()}</span>
                <span class="row-latest">{summary.latest}</span>
            </button>
        </li>
    }
}

/// What an empty list says: that nothing matches the search and filters, or what the folder
/// would hold.
fn no_chats(filter: RwSignal<Filter>, folder: RwSignal<Folder>) -> impl IntoView {
    let filtered = move || filter.with(|filter| *filter != Filter::default());
    let text = if filtered() {
        "No chat matches the search and filters."
    } else {
        match folder.get() {
            Folder::Pending => "No chat is waiting for you.",
            Folder::Mine => "You have no open chat. Claim one from Pending, or stay Online to be assigned one.",
            Folder::AllOpen => "No chat is open or waiting.",
            Folder::Closed => "No closed chat yet.",
        }
    };
    view! { <p class="empty">{text}</p> }
}

fn tab_id(folder: Folder) -> String {
    format!("folder-{}", folder.label().to_lowercase().replace(' ', "-"))
}

/// Moves the keyboard focus to the element with this id at once, without the layout that
/// scrolling to it needs now; the next frame, laid out anyway, brings it into view if it is not.
/// For an action whose button is about to go: the focus never falls back to the page.
pub fn hand_focus_to(id: &'static str) {
    let Some(element) = element_by_id(id) else { return };
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = element.focus_with_options(&options);
    request_animation_frame(move || {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        element.scroll_into_view_with_scroll_into_view_options(&options);
    });
}

/// Moves the keyboard focus to the element with this id, if it is on the page.
pub fn focus(id: &str) {
    if let Some(element) = element_by_id(id) {
        let _ = element.focus();
    }
}

fn element_by_id(id: &str) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    document().get_element_by_id(id).and_then(|element| element.dyn_into().ok())
}
