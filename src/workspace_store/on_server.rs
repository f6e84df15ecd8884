//! The workspace kept on the server: loaded from `GET /api/workspace`, every change saved with
//! `PUT /api/workspace` naming the version it was edited from.
//!
//! One save is on its way at a time; edits made meanwhile go in the next one, so the server
//! always ends with the page's newest workspace. When another admin saved a newer version first
//! (409), nothing is overwritten and nothing of this admin's is lost: the page shows the newer
//! version, as one undo step, and a banner says so and keeps this admin's version for them to
//! download or to put back over the newer one, which then is their choice, made knowingly. A
//! save the server refuses for another reason (a workspace that takes the admin's own role
//! away, a session that ended, no connection) keeps the edits in the page and says why; the next
//! edit, or "Try saving again", sends again.
//!
//! What to send and when is `Saving`, a plain type tested natively; this module only carries it
//! out.

use handoff::{Workspace, load_workspace, workspace_to_json};
use handoff_wire::{PutWorkspace, VersionedWorkspace};
use leptos::prelude::*;

use super::{Unreadable, WorkspaceStore, json_data_url, provide_store};
use crate::remote::{self, PutRefused, RemoteError};

/// Whether the server holds what the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveStatus {
    Saved,
    Saving,
    /// The last save was refused or could not be sent; the banner says why.
    NotSaved,
}

/// The saving of one page's workspace to the server: the version the server holds, and what
/// is on its way. Documents are compared as `workspace_to_json` writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saving {
    /// The server's version that `saved` is.
    version: u64,
    /// The document the server holds at `version`, as far as this page knows.
    saved: String,
    /// The document on its way to the server, while a save is.
    sending: Option<String>,
    /// The document whose save was refused or never arrived: not sent again unchanged, unless
    /// the admin asks (`retry`).
    failed: Option<String>,
}

impl Saving {
    pub fn new(version: u64, saved: String) -> Saving {
        Saving { version, saved, sending: None, failed: None }
    }

    /// The save to make now for the page's `present` document, as the version it was edited
    /// from and the document: none while a save is on its way (the newest edit goes next), when
    /// the server holds it already, or when it is the very document whose save failed.
    pub fn next(&mut self, present: &str) -> Option<(u64, String)> {
        if self.sending.is_some() || present == self.saved || self.failed.as_deref() == Some(present) {
            return None;
        }
        self.failed = None;
        self.sending = Some(present.to_owned());
        Some((self.version, present.to_owned()))
    }

    /// The server saved what was sent, as `version`.
    pub fn accepted(&mut self, version: u64) {
        if let Some(sent) = self.sending.take() {
            self.saved = sent;
            self.version = version;
        }
    }

    /// Another edit was saved first: the server holds `theirs` as `version`, and nothing that
    /// was sent.
    pub fn overtaken(&mut self, version: u64, theirs: String) {
        self.sending = None;
        self.version = version;
        self.saved = theirs;
    }

    /// What was sent was refused, or never arrived.
    pub fn failed(&mut self) {
        self.failed = self.sending.take();
    }

    /// The admin asks to send again what failed.
    pub fn retry(&mut self) {
        self.failed = None;
    }

    /// The admin asks to save again what the server saved but could not finish (`unfinished`):
    /// the next `next` sends the page's document again, from the version the server holds.
    pub fn save_again(&mut self) {
        self.failed = None;
        self.saved.clear();
    }

    /// The server holds `theirs` as `version` now (its socket said so). Whether the page is to
    /// show it: not a version this page holds already, and not while a save is on its way, whose
    /// answer says what became of it (accepted as that version, or overtaken by it).
    pub fn adopt(&mut self, version: u64, theirs: String) -> bool {
        if self.sending.is_some() || version <= self.version {
            return false;
        }
        self.version = version;
        self.saved = theirs;
        true
    }

    pub fn status(&self, present: &str) -> SaveStatus {
        if self.sending.is_some() {
            SaveStatus::Saving
        } else if present == self.saved {
            SaveStatus::Saved
        } else if self.failed.as_deref() == Some(present) {
            SaveStatus::NotSaved
        } else {
            SaveStatus::Saving
        }
    }
}

/// Another admin's version came first: what this admin had, kept until they choose.
#[derive(Debug, Clone, PartialEq)]
pub struct Overtaken {
    pub mine: Workspace,
    /// The version now shown, theirs.
    pub version: u64,
}

/// The server's side of the store, provided beside it on the server only.
#[derive(Debug, Clone, Copy)]
pub struct ServerSaving {
    pub status: RwSignal<SaveStatus>,
    pub overtaken: RwSignal<Option<Overtaken>>,
    /// The last save was saved, but what follows it on the server was not all done: its words.
    pub unfinished: RwSignal<Option<String>>,
    saving: StoredValue<Saving>,
}

impl ServerSaving {
    /// The server's workspace changed (another admin saved, or this one in another tab): the
    /// page shows it, as one undo step, unless `Saving::adopt` says it holds it already.
    pub fn adopt(self, store: WorkspaceStore, version: u64, workspace: &Workspace) {
        let theirs = workspace_to_json(workspace);
        if self.saving.try_update_value(|saving| saving.adopt(version, theirs)) != Some(true) {
            return;
        }
        store.history.maybe_update(|history| {
            let changed = history.present() != workspace;
            if changed {
                history.record(workspace.clone());
            }
            changed
        });
    }
}

/// Provides the workspace store over the server's workspace, and saves every change to it.
pub fn provide_workspace_store_on_server(start: VersionedWorkspace) {
    let text = start.workspace.to_string();
    let (workspace, unreadable) = match load_workspace(&text) {
        Ok(workspace) => (workspace, None),
        Err(error) => {
            (handoff::starter_workspace(), Some(Unreadable { raw: text, error: error.to_string(), unsaved: false }))
        }
    };
    let saved = workspace_to_json(&workspace);
    let store = provide_store(workspace, unreadable);
    let saving = StoredValue::new(Saving::new(start.version, saved));
    let server = ServerSaving {
        status: RwSignal::new(SaveStatus::Saved),
        overtaken: RwSignal::new(None),
        unfinished: RwSignal::new(None),
        saving,
    };
    provide_context(server);
    Effect::new(move |_| {
        let present = store.history.with(|history| workspace_to_json(history.present()));
        match store.unreadable.with(|unreadable| unreadable.as_ref().map(|unreadable| unreadable.unsaved)) {
            // The server's workspace could not be read: nothing is saved over it until the admin
            // has chosen what to do.
            Some(false) => return,
            // A failed save is sent again only for a new edit.
            Some(true) => {}
            // No banner (any more): "Try saving again" was pressed, or nothing failed.
            None => saving.update_value(Saving::retry),
        }
        save(store, server, saving, &present);
    });
}

/// Starts sending the page's `present` workspace, unless a save is on its way (which sends the
/// newest edit when it is answered) or there is nothing to send.
fn save(store: WorkspaceStore, server: ServerSaving, saving: StoredValue<Saving>, present: &str) {
    let next = saving.try_update_value(|saving| saving.next(present)).flatten();
    server.status.set(saving.with_value(|saving| saving.status(present)));
    let Some(first) = next else { return };
    leptos::task::spawn_local(async move {
        let mut next = Some(first);
        while let Some((version, document)) = next.take() {
            let outcome = put(version, &document).await;
            if saving.try_with_value(|_| ()).is_none() {
                // The page is gone (signed out); its store with it.
                return;
            }
            match outcome {
                Ok(saved) => {
                    saving.update_value(|saving| saving.accepted(saved.version));
                    server.unfinished.set(saved.unfinished);
                    if store.unreadable.with_untracked(|unreadable| unreadable.as_ref().is_some_and(|u| u.unsaved)) {
                        store.unreadable.set(None);
                    }
                }
                Err(PutRefused::Conflict(conflict)) => overtaken(store, server, saving, conflict),
                Err(PutRefused::Failed(error)) => {
                    saving.update_value(Saving::failed);
                    store.unreadable.set(Some(Unreadable {
                        raw: String::new(),
                        error: not_saved(&error),
                        unsaved: true,
                    }));
                }
            }
            let present = store.history.with_untracked(|history| workspace_to_json(history.present()));
            next = saving.try_update_value(|saving| saving.next(&present)).flatten();
            server.status.set(saving.with_value(|saving| saving.status(&present)));
        }
    });
}

async fn put(version: u64, document: &str) -> Result<VersionedWorkspace, PutRefused> {
    // The page's own document, written by `workspace_to_json`: always JSON.
    let workspace =
        serde_json::from_str(document).map_err(|_| PutRefused::Failed(RemoteError::Unexpected { status: 0 }))?;
    remote::put_workspace(&PutWorkspace { version, workspace, unfinished: None }).await
}

/// Why a save failed, as the unsaved-edits banner says it after "could not be saved: ".
fn not_saved(error: &RemoteError) -> String {
    match error.is_signed_out() {
        // Signing in again here would leave this page; another tab keeps it.
        true => {
            "your session on the server has ended; sign in again in another tab, then try saving again here".to_owned()
        }
        false => error.to_string().trim_end_matches('.').to_owned(),
    }
}

/// Another admin saved first: the page shows their version as one undo step, and keeps this
/// admin's for the banner.
fn overtaken(
    store: WorkspaceStore,
    server: ServerSaving,
    saving: StoredValue<Saving>,
    conflict: handoff_wire::WorkspaceConflict,
) {
    match load_workspace(&conflict.workspace.to_string()) {
        Ok(theirs) => {
            let mine = store.with_untracked(Workspace::clone);
            saving.update_value(|saving| saving.overtaken(conflict.version, workspace_to_json(&theirs)));
            store.history.update(|history| history.record(theirs));
            server.overtaken.set(Some(Overtaken { mine, version: conflict.version }));
        }
        Err(error) => {
            saving.update_value(Saving::failed);
            let error = format!("another admin saved a newer version, which this page cannot read ({error})");
            store.unreadable.set(Some(Unreadable { raw: String::new(), error, unsaved: true }));
        }
    }
}

/// "Saved", "Saving…" or "Not saved", beside Undo and Redo; and, when the server saved the
/// workspace but could not do all that follows a save, its words and "Save again".
pub fn save_status(server: ServerSaving) -> AnyView {
    let store = super::use_workspace_store();
    let save_again = move |_| {
        server.unfinished.set(None);
        server.saving.update_value(Saving::save_again);
        let present = store.history.with_untracked(|history| workspace_to_json(history.present()));
        save(store, server, server.saving, &present);
    };
    view! {
        <p class="save-status" role="status">
            {move || match server.status.get() {
                SaveStatus::Saved => "All changes saved",
                SaveStatus::Saving => "Saving…",
                SaveStatus::NotSaved => "Not saved",
            }}
        </p>
        {move || {
            server.unfinished.get().map(|words| {
                view! {
                    <p class="save-unfinished" role="alert">
                        {words}
                        " "
                        <button type="button" class="button" on:click=save_again>"Save again"</button>
                    </p>
                }
            })
        }}
    }
    .into_any()
}

/// Says that another admin's newer version is shown instead of this admin's, and offers theirs:
/// to download, or to put back over the newer one.
pub fn overtaken_banner(store: WorkspaceStore, server: ServerSaving) -> AnyView {
    let put_mine_back = move |_| {
        if let Some(Overtaken { mine, .. }) = server.overtaken.get_untracked() {
            store.history.update(|history| history.record(mine));
        }
        server.overtaken.set(None);
    };
    (move || {
        server.overtaken.get().map(|Overtaken { mine, version }| {
            let href = json_data_url(&workspace_to_json(&mine));
            view! {
                <div class="banner" role="alert">
                    <p>
                        <strong>"Another admin saved a newer version of the workspace while you were editing. "</strong>
                        {format!(
                            "Your latest changes were not saved, and nothing of theirs was overwritten: this page now shows their version ({version}). "
                        )}
                        "Your version is kept here until you choose: download it, or put it back in place of theirs."
                    </p>
                    <p class="banner-actions">
                        <a class="button" href=href download="handoff-studio-workspace-mine.json">"Download my version"</a>
                        <button type="button" class="button" on:click=put_mine_back>"Put my version back"</button>
                        <button type="button" class="button" on:click=move |_| server.overtaken.set(None)>
                            "Keep their version"
                        </button>
                    </p>
                </div>
            }
        })
    })
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::{SaveStatus, Saving};

    #[test]
    fn one_save_at_a_time_and_the_newest_edit_goes_next() {
        let mut saving = Saving::new(3, "v3".to_owned());
        assert_eq!(saving.next("v3"), None, "the server holds it");
        assert_eq!(saving.status("v3"), SaveStatus::Saved);
        assert_eq!(saving.next("a"), Some((3, "a".to_owned())));
        assert_eq!(saving.next("ab"), None, "one on its way");
        assert_eq!(saving.status("ab"), SaveStatus::Saving);
        saving.accepted(4);
        assert_eq!(saving.next("abc"), Some((4, "abc".to_owned())), "the newest edit, from the new version");
        saving.accepted(5);
        assert_eq!(saving.next("abc"), None);
        assert_eq!(saving.status("abc"), SaveStatus::Saved);
    }

    #[test]
    fn a_save_the_server_could_not_finish_is_sent_again_unchanged_when_asked() {
        let mut saving = Saving::new(1, "v1".to_owned());
        assert!(saving.next("edit").is_some());
        saving.accepted(2);
        assert_eq!(saving.next("edit"), None, "saved as version 2");
        saving.save_again();
        assert_eq!(saving.next("edit"), Some((2, "edit".to_owned())), "the same document, from version 2");
        saving.accepted(3);
        assert_eq!(saving.status("edit"), SaveStatus::Saved);
    }

    #[test]
    fn a_failed_save_waits_for_a_new_edit_or_a_retry() {
        let mut saving = Saving::new(1, "v1".to_owned());
        assert!(saving.next("bad").is_some());
        saving.failed();
        assert_eq!(saving.status("bad"), SaveStatus::NotSaved);
        assert_eq!(saving.next("bad"), None, "not sent again unchanged");
        saving.retry();
        assert_eq!(saving.next("bad"), Some((1, "bad".to_owned())), "sent again when asked");
        saving.failed();
        assert_eq!(saving.next("better"), Some((1, "better".to_owned())), "a new edit is sent");
        assert_eq!(saving.status("better"), SaveStatus::Saving);
    }

    #[test]
    fn after_a_conflict_the_newer_version_is_what_the_server_holds_and_edits_build_on_it() {
        let mut saving = Saving::new(2, "v2".to_owned());
        assert!(saving.next("mine").is_some());
        saving.overtaken(3, "theirs".to_owned());
        assert_eq!(saving.next("theirs"), None, "the page shows theirs: nothing to save");
        assert_eq!(saving.status("theirs"), SaveStatus::Saved);
        assert_eq!(saving.next("mine"), Some((3, "mine".to_owned())), "putting mine back edits version 3");
    }

    #[test]
    fn a_newer_workspace_from_the_socket_is_adopted_unless_a_save_is_on_its_way() {
        let mut saving = Saving::new(2, "v2".to_owned());
        assert!(!saving.adopt(2, "v2".to_owned()), "the version held");
        assert!(saving.adopt(3, "theirs".to_owned()));
        assert_eq!(saving.status("theirs"), SaveStatus::Saved);
        assert_eq!(saving.next("mine"), Some((3, "mine".to_owned())), "the next edit builds on it");
        assert!(!saving.adopt(4, "mine".to_owned()), "a save on its way: its answer decides");
        saving.accepted(4);
        assert!(!saving.adopt(4, "mine".to_owned()), "this page's own save, told back");
        assert_eq!(saving.next("mine"), None);
    }
}
