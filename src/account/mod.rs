//! The staff account on the server: who is signed in, the first admin's setup, signing in and
//! out (here or everywhere). On the simulated backend there are no accounts: none of this is
//! provided, and `use_account` is `None`.

mod pages;

pub use pages::{SetupPage, SignInPage};

use handoff_wire::Me;
use leptos::prelude::*;

use crate::remote::{self, RemoteError, ServerStart};

/// Where the person at this browser stands with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Nobody has a password yet: the first admin is still to be created.
    Setup,
    /// Nobody is signed in here; `notice` says what happened when there is something to say
    /// (signed out, signed out everywhere, the session ended).
    SignedOut {
        notice: Option<String>,
    },
    SignedIn(Me),
}

impl Phase {
    /// The phase the app starts in, from what the server said at start-up.
    pub fn at_start(start: ServerStart) -> Phase {
        match start {
            ServerStart { setup_open: true, .. } => Phase::Setup,
            ServerStart { me: Some(me), .. } => Phase::SignedIn(me),
            ServerStart { me: None, .. } => Phase::SignedOut { notice: None },
        }
    }

    /// Which page the phase shows, whoever is signed in: the app is built again only when it
    /// changes.
    pub fn page(&self) -> AccountPage {
        match self {
            Phase::Setup => AccountPage::Setup,
            Phase::SignedOut { .. } => AccountPage::SignIn,
            Phase::SignedIn(_) => AccountPage::Studio,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountPage {
    Setup,
    SignIn,
    /// The app itself, for the signed-in person.
    Studio,
}

/// The account context, provided on the server only.
#[derive(Debug, Clone, Copy)]
pub struct Account {
    pub phase: RwSignal<Phase>,
}

impl Account {
    /// The signed-in person (tracked).
    pub fn me(&self) -> Option<Me> {
        self.phase.with(|phase| match phase {
            Phase::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// The signed-in person, read once (where a page is drawn).
    pub fn me_untracked(&self) -> Option<Me> {
        self.phase.with_untracked(|phase| match phase {
            Phase::SignedIn(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// Whether the signed-in person is an admin, read once (where a page is drawn).
    pub fn is_admin_untracked(&self) -> bool {
        self.phase.with_untracked(|phase| matches!(phase, Phase::SignedIn(Me { admin: true, .. })))
    }

    pub fn signed_in(&self, me: Me) {
        self.phase.set(Phase::SignedIn(me));
    }

    pub fn signed_out(&self, notice: &str) {
        self.phase.set(Phase::SignedOut { notice: Some(notice.to_owned()) });
    }

    /// Ends this browser's session, or every session of the person; `error` holds what went
    /// wrong, if anything. A session that had ended already is a sign-out all the same.
    fn sign_out(self, everywhere: bool, error: RwSignal<Option<String>>) {
        error.set(None);
        leptos::task::spawn_local(async move {
            let ended = match everywhere {
                true => remote::sign_out_everywhere().await,
                false => remote::sign_out().await,
            };
            match ended {
                Ok(()) | Err(RemoteError::Refused { status: 401, .. }) => self.signed_out(match everywhere {
                    true => "You are signed out, in every browser.",
                    false => "You are signed out.",
                }),
                Err(refused) => {
                    error.try_set(Some(refused.to_string()));
                }
            }
        });
    }
}

/// Provides the account, as the server found it at start-up.
pub fn provide_account(start: ServerStart) -> Account {
    let account = Account { phase: RwSignal::new(Phase::at_start(start)) };
    provide_context(account);
    account
}

/// The account, on the server; `None` on the simulated backend.
pub fn use_account() -> Option<Account> {
    use_context::<Account>()
}

/// The header's part of the account: who is signed in, and the two ways to sign out.
#[component]
pub fn AccountControls(account: Account) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    move || {
        account.me().map(|me| {
            view! {
                <div class="account" role="group" aria-label="Account">
                    <p class="account-name">
                        "Signed in as "
                        <strong>{me.name}</strong>
                        {me.admin.then(|| view! { <span class="badge">"Admin"</span> })}
                    </p>
                    <button type="button" class="button" on:click=move |_| account.sign_out(false, error)>
                        "Sign out"
                    </button>
                    <button type="button" class="button" on:click=move |_| account.sign_out(true, error)>
                        "Sign out everywhere"
                    </button>
                    <p class="error" role="alert">{move || error.get()}</p>
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff::AgentId;

    #[test]
    fn the_app_starts_on_setup_while_it_is_open_then_as_whoever_the_session_is() {
        let me = Me { agent: AgentId(1), name: "Ada Lovelace".to_owned(), admin: true };
        assert_eq!(Phase::at_start(ServerStart { setup_open: true, me: None }), Phase::Setup);
        assert_eq!(Phase::at_start(ServerStart { setup_open: false, me: None }), Phase::SignedOut { notice: None });
        let signed_in = Phase::at_start(ServerStart { setup_open: false, me: Some(me.clone()) });
        assert_eq!(signed_in, Phase::SignedIn(me));
        assert_eq!(signed_in.page(), AccountPage::Studio);
        assert_eq!(Phase::SignedOut { notice: Some("You are signed out.".to_owned()) }.page(), AccountPage::SignIn);
    }
}
