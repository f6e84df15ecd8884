//! The app shell: the pages by path, the header with the product name and navigation, and the routes.
//!
//! On the simulated backend the app is the studio at once. On the server it is the studio for
//! whoever is signed in, once the workspace has come from the server; before that, the first
//! admin's setup or the sign-in page, at every address.

use handoff::Workspace;
use handoff_wire::{Me, VersionedWorkspace};
use leptos::prelude::*;

use crate::account::{AccountControls, AccountPage, SetupPage, SignInPage, provide_account, use_account};
use crate::backend::remote::Link as SocketLink;
use crate::backend::{provide_conversations, provide_remote, use_remote_link};
use crate::editor::EditorPage;
use crate::inbox::{InboxPage, pending_count, provide_identity, unread_count};
use crate::pages::{HomePage, NotFoundPage, SECTIONS, SimulatorPage, provide_page_title};
use crate::preview::PreviewPage;
use crate::remote::{self, RemoteError, ServerStart};
use crate::router::{Link, provide_location, use_location};
use crate::settings::SettingsPage;
use crate::workspace_store::{
    ServerSaving, StorageBanner, provide_workspace_store, provide_workspace_store_on_server, use_workspace_store,
};

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

/// The whole app on the simulated backend, in this browser: the header on every page, one page
/// per path, and a not-found page for the rest.
#[component]
pub fn App() -> impl IntoView {
    // The location depends on nothing; the pages and the header's links read it.
    provide_location();
    // The workspace depends on nothing; the editor and the settings page both edit it.
    provide_workspace_store();
    view! { <Studio/> }
}

/// The signed-in person on the server, and the version of the server's workspace the store
/// was opened on.
#[derive(Debug, Clone)]
struct OnServer {
    me: Me,
    version: u64,
}

/// The pages, over a workspace store already provided: on the simulated backend (`server`
/// `None`), or on the server for the signed-in person.
#[component]
fn Studio(#[prop(optional_no_strip)] server: Option<OnServer>) -> impl IntoView {
    let store = use_workspace_store();
    match server {
        // The conversations run on the workspace; both stores are the app's.
        None => {
            provide_conversations(store);
            provide_identity(None);
        }
        // The server's conversations, on the server's workspace; a newer one that the socket
        // brings is adopted by the store. The desk's identity is the signed-in person's.
        Some(OnServer { me, version }) => {
            let server_saving = use_context::<ServerSaving>();
            let workspace = store.with_untracked(Workspace::clone);
            let link = provide_remote(version, workspace, move |version, workspace| {
                if let Some(server_saving) = server_saving {
                    server_saving.adopt(store, version, workspace);
                }
            });
            provide_identity(Some(me.agent));
            // The session ended while the page was open: the sign-in page says so.
            let account = use_account().expect("provided by ServerApp");
            Effect::new(move |_| {
                if let SocketLink::SignedOut(message) = link.get() {
                    account.signed_out(&message);
                }
            });
        }
    }
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

/// The whole app on the server, as `remote::detect` found it at start-up: the first admin's
/// setup, the sign-in page, or the studio for the signed-in person. The studio is built again
/// only when the page it shows changes, so signing out drops it and everything it held, and the
/// next person starts afresh.
#[component]
pub fn ServerApp(start: ServerStart) -> impl IntoView {
    provide_location();
    // The account depends on nothing; the workspace comes once somebody is signed in.
    let account = provide_account(start);
    let shown = Memo::new(move |_| account.phase.with(|phase| phase.page()));
    move || match shown.get() {
        AccountPage::Setup => signed_out_shell(|| view! { <SetupPage/> }.into_any()),
        AccountPage::SignIn => signed_out_shell(|| view! { <SignInPage/> }.into_any()),
        AccountPage::Studio => view! { <ServerStudio/> }.into_any(),
    }
}

/// The header without navigation, and one page: before anybody is signed in, and while the
/// workspace comes.
fn signed_out_shell(page: impl FnOnce() -> AnyView) -> AnyView {
    // Before the page, which names itself in the tab's title.
    provide_page_title(|| None);
    let page = page();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Header navigation=false/>
        <main id="main" class="page" tabindex="-1">
            {page}
        </main>
    }
    .into_any()
}

/// The studio for the signed-in person, over the server's workspace.
#[component]
fn ServerStudio() -> impl IntoView {
    let account = use_account().expect("provided by ServerApp");
    // One read, again on "Try again": a signal and a task. A `LocalResource` does the same with
    // async machinery that the app uses nowhere else, which measured 8,250 more brotli bytes.
    let workspace = RwSignal::new(None::<Result<VersionedWorkspace, RemoteError>>);
    let load = move || {
        workspace.set(None);
        leptos::task::spawn_local(async move {
            let answer = remote::workspace().await;
            if answer.as_ref().is_err_and(RemoteError::is_signed_out) {
                account.signed_out("Your session has ended: sign in again.");
            }
            workspace.try_set(Some(answer));
        });
    };
    load();
    move || match workspace.get() {
        None => signed_out_shell(|| view! { <p class="loading" role="status">"Opening the workspace…"</p> }.into_any()),
        Some(Ok(versioned)) => untrack(|| {
            let server = account.me().map(|me| OnServer { me, version: versioned.version });
            // The workspace depends on the session; the editor and the settings page edit it.
            provide_workspace_store_on_server(versioned);
            view! { <Studio server=server/> }.into_any()
        }),
        Some(Err(error)) => signed_out_shell(move || {
            view! {
                <article>
                    <h1>"The workspace could not be opened"</h1>
                    <p class="error" role="alert">{error.to_string()}</p>
                    <button type="button" class="button" on:click=move |_| load()>
                        "Try again"
                    </button>
                </article>
            }
            .into_any()
        }),
    }
}

/// The product name, the navigation, which backend the page is on and, on the server, who is
/// signed in. On narrow screens the navigation folds behind a Menu button; choosing a page folds
/// it again. Before anybody is signed in on the server there is no navigation: every address
/// shows the sign-in page.
#[component]
pub fn Header(#[prop(default = true)] navigation: bool) -> impl IntoView {
    let account = use_account();
    let (label, explained) = match account {
        Some(_) => ("Server", "Accounts, the workspace and the conversations are kept on the server."),
        None => ("Simulated (this browser)", "Everything is kept in this browser's storage; nothing is sent anywhere."),
    };
    view! {
        <header class="site-header">
            <Link href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"⇄"</span>
                "Handoff Studio"
            </Link>
            {navigation.then(navigation_menu)}
            <div class="header-end">
                <p class="backend-label" title=explained>
                    <span class="visually-hidden">"Backend: "</span>
                    {label}
                </p>
                {use_remote_link().map(link_status)}
                {account.map(|account| view! { <AccountControls account=account/> })}
            </div>
        </header>
    }
}

/// What the header (and the preview's widget, of the customer's socket) says of the server's
/// socket while it is not live: reconnecting (the page keeps everything, typed text included,
/// and commands wait for the server), or refused.
pub(crate) fn link_status(link: RwSignal<SocketLink>) -> impl IntoView {
    view! {
        <p class="link-status" role="status">
            {move || match link.get() {
                SocketLink::Connecting | SocketLink::Live | SocketLink::SignedOut(_) => None,
                SocketLink::Reconnecting => Some("Reconnecting…".to_owned()),
                SocketLink::Refused(message) => Some(format!("Not connected: {message}")),
            }}
        </p>
    }
}

/// The Menu button and the navigation, with the Inbox's count of what waits.
fn navigation_menu() -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    view! {
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
    }
}
