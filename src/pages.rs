//! The pages behind each route.
//! Until a page's capability is built it is an honest placeholder: it says what it will hold and
//! that it is not built yet, and offers no control that does nothing.

use leptos::prelude::*;

use crate::router::{Link, use_location};

/// One top-level part of the product, as the navigation and the home page present it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub path: &'static str,
    pub nav_label: &'static str,
    pub heading: &'static str,
    /// Who it is for and what they do there, in one sentence.
    pub purpose: &'static str,
    /// What the page will hold, one capability a line.
    pub plans: &'static [&'static str],
}

/// The sections in navigation order.
pub const SECTIONS: [Section; 5] = [
    Section {
        path: "/editor",
        nav_label: "Editor",
        heading: "Workflow editor",
        purpose: "Admins shape the AI agent's workflow as a tree of triggers and actions.",
        plans: &[
            "The workflow drawn as a collapsible tree, with add, move, duplicate and delete by mouse or keyboard.",
            "A settings panel for every node, including every Human Handoff setting.",
            "Validation shown on the nodes, undo and redo, import and export as JSON.",
        ],
    },
    Section {
        path: "/inbox",
        nav_label: "Inbox",
        heading: "Inbox",
        purpose: "Live agents go Online or Away and answer the chats handed to them.",
        plans: &[
            "Pending, Mine, All open and Closed lists with counts, search and filters.",
            "The whole transcript, replies with canned answers, internal notes.",
            "Claim, transfer, takeover and close, with why each chat went where it went.",
        ],
    },
    Section {
        path: "/preview",
        nav_label: "Preview",
        heading: "Preview",
        purpose: "Designers play the customer and the live agent side by side, offline.",
        plans: &[
            "A customer chat widget beside an agent inbox, on the in-browser backend.",
            "The whole path: AI agent, handoff, queue, live agent, close, feedback, back to the AI agent.",
            "A timeline of the engine's events for the selected chat.",
        ],
    },
    Section {
        path: "/simulator",
        nav_label: "Simulator",
        heading: "Simulator",
        purpose: "Designers run a day of traffic through the real engine before going live.",
        plans: &[
            "Agents with online schedules, arrival rate, language mix and handling times.",
            "Queue length, wait times and agent load drawn as charts.",
            "Several assignment methods side by side.",
        ],
    },
    Section {
        path: "/settings",
        nav_label: "Settings",
        heading: "Teamspace settings",
        purpose: "Admins set up who works where and how chats are assigned.",
        plans: &[
            "Teams and live agents, and the AI agent's languages.",
            "The Chat Assignment method and the Auto-assigned chats cap.",
            "Canned replies.",
        ],
    },
];

fn section(path: &str) -> &'static Section {
    SECTIONS.iter().find(|section| section.path == path).expect("every routed page has a section")
}

/// The page's own title; `App` composes the browser tab's title from it.
#[derive(Clone, Copy)]
pub struct PageTitle(pub RwSignal<&'static str>);

/// Sets the browser tab's title while a page is shown.
pub fn set_document_title(title: &'static str) {
    if let Some(PageTitle(page)) = use_context::<PageTitle>() {
        page.set(title);
    }
}

/// Keeps the tab's title as "Page · Handoff Studio", led by the number of pending chats the
/// signed-in agent may take, "(2) Page · Handoff Studio", so a waiting chat shows in any tab.
pub fn provide_page_title(pending: impl Fn() -> Option<usize> + 'static) {
    let page = RwSignal::new("Handoff Studio");
    provide_context(PageTitle(page));
    Effect::new(move |_| {
        let title = match pending() {
            Some(count) if count > 0 => format!("({count}) {} · Handoff Studio", page.get()),
            _ => format!("{} · Handoff Studio", page.get()),
        };
        document().set_title(&title);
    });
}

/// The page a section will become; for now it says what it will hold.
#[component]
fn Placeholder(section: &'static Section) -> impl IntoView {
    set_document_title(section.heading);
    view! {
        <article class="placeholder">
            <h1>{section.heading}</h1>
            <p class="lead">{section.purpose}</p>
            <h2>"What this page will hold"</h2>
            <ul class="plans">{section.plans.iter().map(|plan| view! { <li>{*plan}</li> }).collect_view()}</ul>
            <p class="status" role="note">"Not built yet: nothing on this page works so far."</p>
        </article>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    set_document_title("Home");
    view! {
        <article class="home">
            <h1>"Handoff Studio"</h1>
            <p class="lead">
                "Hand chats from an AI agent to human live agents and back: design the workflow, "
                "work the inbox, and rehearse it all offline in the browser."
            </p>
            <ul class="cards">
                {SECTIONS
                    .iter()
                    .map(|section| {
                        view! {
                            <li class="card">
                                <h2><Link href=section.path>{section.heading}</Link></h2>
                                <p>{section.purpose}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </article>
    }
}

#[component]
pub fn SimulatorPage() -> impl IntoView {
    view! { <Placeholder section=section("/simulator")/> }
}

/// Shown for any address that is not a page, with the way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_document_title("Page not found");
    let location = use_location();
    view! {
        <article class="not-found">
            <h1>"Page not found"</h1>
            <p>"There is no page at " <code>{move || location.path()}</code> "."</p>
            <p><Link href="/">"Go to the home page"</Link></p>
        </article>
    }
}
