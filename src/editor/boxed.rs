//! The editor's reactive pieces of view behind one boxed type each, for the download's size.
//!
//! tachys compiles a render effect (build, rebuild, mount) for every distinct closure put in a
//! `view!`, and an event listener for every distinct handler.
//! Boxed, every reactive text of the editor shares one, every reactive flag one, every reactive
//! subtree one and every handler of one kind of event one.

use leptos::prelude::*;

/// A text (an attribute, a property or a text node) that follows the signals it reads.
pub type Text = Box<dyn Fn() -> String + Send + Sync>;
/// A boolean (an attribute, a property or a class) that follows the signals it reads.
pub type Flag = Box<dyn Fn() -> bool + Send + Sync>;
/// A part of the page drawn again whenever a signal it reads changes.
pub type Dynamic = Box<dyn Fn() -> AnyView + Send + Sync>;
pub type OnClick = Box<dyn FnMut(leptos::ev::MouseEvent)>;
pub type OnChange = Box<dyn FnMut(leptos::ev::Event)>;

pub fn text(read: impl Fn() -> String + Send + Sync + 'static) -> Text {
    Box::new(read)
}

pub fn flag(read: impl Fn() -> bool + Send + Sync + 'static) -> Flag {
    Box::new(read)
}

pub fn dynamic(draw: impl Fn() -> AnyView + Send + Sync + 'static) -> Dynamic {
    Box::new(draw)
}

pub fn on_click(act: impl FnMut(leptos::ev::MouseEvent) + 'static) -> OnClick {
    Box::new(act)
}

pub fn on_change(act: impl FnMut(leptos::ev::Event) + 'static) -> OnChange {
    Box::new(act)
}

/// What `<Show>` does: `children` while `when` holds, drawn again only when `when` changes.
pub fn show(when: Flag, children: Dynamic) -> Dynamic {
    show_or(when, children, Box::new(|| ().into_any()))
}

/// What `<Show fallback>` does: `children` while `when` holds and `fallback` otherwise, each
/// drawn again only when `when` changes.
pub fn show_or(when: Flag, children: Dynamic, fallback: Dynamic) -> Dynamic {
    let when = ArcMemo::new(move |_| when());
    Box::new(move || if when.get() { children() } else { fallback() })
}
