//! The app shell: the router, the header with the product name and navigation, and the routes.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::editor::EditorPage;
use crate::pages::{HomePage, InboxPage, NotFoundPage, PreviewPage, SECTIONS, SimulatorPage};
use crate::settings::SettingsPage;
use crate::workspace_store::{StorageBanner, provide_workspace_store};

/// The whole app: the header on every page, one page per route, and a not-found page for the rest.
#[component]
pub fn App() -> impl IntoView {
    // The workspace depends on nothing; the editor and the settings page both edit it.
    provide_workspace_store();
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Header/>
            <StorageBanner/>
            <main id="main" class="page" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/editor") view=EditorPage/>
                    <Route path=path!("/inbox") view=InboxPage/>
                    <Route path=path!("/preview") view=PreviewPage/>
                    <Route path=path!("/simulator") view=SimulatorPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// The product name and the navigation.
/// On narrow screens the navigation folds behind a Menu button; choosing a page folds it again.
#[component]
pub fn Header() -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"⇄"</span>
                "Handoff Studio"
            </A>
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
                                    <A href=section.path>{section.nav_label}</A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
    }
}
