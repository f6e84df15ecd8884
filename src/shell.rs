//! The app shell: the pages by path, the header with the product name and navigation, and the routes.

use leptos::prelude::*;

use crate::backend::provide_conversations;
use crate::editor::EditorPage;
use crate::inbox::{InboxPage, pending_count, provide_identity, unread_count};
use crate::pages::{HomePage, NotFoundPage, SECTIONS, SimulatorPage, provide_page_title};
use crate::preview::PreviewPage;
use crate::router::{Link, provide_location, use_location};
use crate::settings::SettingsPage;
use crate::workspace_store::{StorageBanner, provide_workspace_store, use_workspace_store};

/// The pages, one per path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Home,
    Editor,
    Inbox,
    Preview,
    Simulator,
    Settings,
    NotFound,
}

impl Page {
    fn at(path: &str) -> Page {
        match path {
            "/" => Page::Home,
            "/editor" => Page::Editor,
            "/inbox" => Page::Inbox,
            "/preview" => Page::Preview,
            "/simulator" => Page::Simulator,
            "/settings" => Page::Settings,
            _ => Page::NotFound,
        }
    }

    fn view(self) -> AnyView {
        match self {
            Page::Home => view! { <HomePage/> }.into_any(),
            Page::Editor => view! { <EditorPage/> }.into_any(),
            Page::Inbox => view! { <InboxPage/> }.into_any(),
            Page::Preview => view! { <PreviewPage/> }.into_any(),
            Page::Simulator => view! { <SimulatorPage/> }.into_any(),
            Page::Settings => view! { <SettingsPage/> }.into_any(),
            Page::NotFound => view! { <NotFoundPage/> }.into_any(),
        }
    }
}

/// How many pending chats the signed-in agent may take, and how many of theirs are unread.
#[derive(Clone, Copy)]
struct Waiting(Memo<(Option<usize>, Option<usize>)>);

/// The whole app: the header on every page, one page per path, and a not-found page for the rest.
#[component]
pub fn App() -> impl IntoView {
    // The location depends on nothing; the pages and the header's links read it.
    provide_location();
    // The workspace depends on nothing; the editor and the settings page both edit it.
    provide_workspace_store();
    // The conversations run on the workspace; both stores are the app's.
    provide_conversations(use_workspace_store());
    provide_identity();
    // What waits for the signed-in agent, derived once for the title and the navigation.
    let waiting = Memo::new(move |_| (pending_count(), unread_count()));
    provide_context(Waiting(waiting));
    // The tab's title counts what waits for the agent: pending chats they may take and unread ones.
    provide_page_title(move || match waiting.get() {
        (None, None) => None,
        (pending, unread) => Some(pending.unwrap_or(0) + unread.unwrap_or(0)),
    });
    let location = use_location();
    let page = Memo::new(move |_| Page::at(&location.path()));
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Header/>
        <StorageBanner/>
        <main id="main" class="page" tabindex="-1">
            {move || page.get().view()}
        </main>
    }
}

/// The product name and the navigation.
/// On narrow screens the navigation folds behind a Menu button; choosing a page folds it again.
#[component]
pub fn Header() -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    view! {
        <header class="site-header">
            <Link href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"⇄"</span>
                "Handoff Studio"
            </Link>
            <button
                type="button"
                class="menu-toggle"
                aria-controls="site-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| set_menu_open.update(|open| *open = !*open)
            >
                "Menu"
            </button>
            <nav id="site-nav" aria-label="Main" class:open=move || menu_open.get()>
                <ul>
                    {SECTIONS
                        .iter()
                        .map(|section| {
                            view! {
                                <li on:click=move |_| set_menu_open.set(false)>
                                    <Link href=section.path>
                                        {section.nav_label}
                                        {(section.path == "/inbox").then_some(move || {
                                            let (pending, unread) = use_context::<Waiting>()
                                                .map_or_else(|| (pending_count(), unread_count()), |waiting| waiting.0.get());
                                            let (pending, unread) = (pending.unwrap_or(0), unread.unwrap_or(0));
                                            (pending + unread > 0).then(|| view! {
                                                <span class="nav-count">
                                                    <span class="visually-hidden">
                                                        {match unread {
                                                            0 => format!(", pending: {pending}"),
                                                            _ => format!(", pending: {pending}, unread: {unread}"),
                                                        }}
                                                    </span>
                                                    <span aria-hidden="true">{pending + unread}</span>
                                                </span>
                                            })
                                        })}
                                    </Link>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
    }
}
