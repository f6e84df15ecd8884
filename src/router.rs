//! The app's own small router: the address bar's path as a signal, links that change it without
//! reloading the page, and the browser's Back and Forward buttons.
//!
//! The app has a handful of fixed pages and no nested or parameterised routes, so a signal and a
//! `match` do what it needs; `leptos_router` cost about a tenth of the app's download for that.

use leptos::prelude::*;

/// The path being shown, such as `/editor`.
#[derive(Debug, Clone, Copy)]
pub struct Location {
    path: RwSignal<String>,
}

impl Location {
    /// The current path, tracked.
    pub fn path(&self) -> String {
        self.path.get()
    }

    pub fn is(&self, path: &str) -> bool {
        self.path.with(|current| current == path)
    }

    /// Shows `to` and records it in the browser's history, as following a link would.
    pub fn navigate(&self, to: &str) {
        if self.path.with_untracked(|current| current == to) {
            return;
        }
        let history = window().history().expect("a browser window has a history");
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(to));
        self.path.set(clean(to));
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// A path without a trailing slash (except the root's), so `/editor/` shows the editor; a
/// static host's `/index.html` is the home page.
fn clean(path: &str) -> String {
    match path.trim_end_matches('/') {
        "" | "/index.html" => "/".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

fn address_bar_path() -> String {
    clean(&window().location().pathname().unwrap_or_default())
}

/// Provides the location, read from the address bar, and follows Back and Forward until the
/// owner is cleaned up.
pub fn provide_location() {
    let path = RwSignal::new(address_bar_path());
    let back_and_forward = window_event_listener(leptos::ev::popstate, move |_| path.set(address_bar_path()));
    on_cleanup(move || back_and_forward.remove());
    provide_context(Location { path });
}

pub fn use_location() -> Location {
    expect_context::<Location>()
}

/// A link to one of the app's pages: a plain click shows the page without reloading; a click
/// with a modifier key (new tab, new window) is left to the browser. The link to the page being
/// shown carries `aria-current="page"`.
#[component]
pub fn Link(href: &'static str, #[prop(optional)] class: &'static str, children: Children) -> impl IntoView {
    let location = use_location();
    let follow = move |event: leptos::ev::MouseEvent| {
        let modified = event.ctrl_key() || event.meta_key() || event.shift_key() || event.alt_key();
        if event.default_prevented() || event.button() != 0 || modified {
            return;
        }
        event.prevent_default();
        location.navigate(href);
    };
    view! {
        <a href=href class=class aria-current=move || location.is(href).then_some("page") on:click=follow>
            {children()}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn trailing_slashes_do_not_change_the_page() {
        assert_eq!(clean("/editor/"), "/editor");
        assert_eq!(clean("/"), "/");
        assert_eq!(clean(""), "/");
        assert_eq!(clean("/no/such/page"), "/no/such/page");
        assert_eq!(clean("/index.html"), "/", "a static host's index is the home page");
    }
}
