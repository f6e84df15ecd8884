//! The pages of a server's visitor who is not signed in: signing in, and creating the first
//! admin while nobody has a password. Each is one form with labelled fields; what goes wrong is
//! said in words under it, and the field to fix gets the focus.

use handoff_wire::{Me, Setup, SignIn};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{Account, Phase, use_account};
use crate::pages::set_document_title;
use crate::remote::{self, RemoteError};

const NAME: &str = "account-name";
const PASSWORD: &str = "account-password";
const REPEAT: &str = "account-password-again";
const ERROR: &str = "account-error";

fn account() -> Account {
    use_account().expect("the account pages are shown on the server, where the account is provided")
}

/// Moves the keyboard focus to the field with `id`, once it is drawn.
fn focus(id: &'static str) {
    request_animation_frame(move || {
        if let Some(field) =
            document().get_element_by_id(id).and_then(|found| found.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = field.focus();
        }
    });
}

/// A labelled text or password field, tied to the form's error while there is one.
fn field(
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
    hint: Option<(&'static str, &'static str)>,
    error: RwSignal<Option<String>>,
) -> AnyView {
    let described_by = move || {
        let mut ids: Vec<&str> = hint.map(|(hint_id, _)| hint_id).into_iter().collect();
        if error.with(Option::is_some) {
            ids.push(ERROR);
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                type=kind
                id=id
                name=id
                autocomplete=autocomplete
                bind:value=value
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by
            />
            {hint.map(|(hint_id, hint)| view! { <p class="field-hint" id=hint_id>{hint}</p> })}
        </div>
    }
    .into_any()
}

/// The form's error, read out as it appears.
fn error_line(error: RwSignal<Option<String>>) -> impl IntoView {
    view! { <p class="field-error" id=ERROR role="alert">{move || error.get()}</p> }
}

/// What the two forms share: the person they sign in, and one request at a time.
#[derive(Clone, Copy)]
struct Form {
    account: Account,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

impl Form {
    fn new() -> Form {
        Form { account: account(), busy: RwSignal::new(false), error: RwSignal::new(None) }
    }

    /// Says the first `mistake` (its words, and the field that gets the focus), or else sends
    /// `request`, one at a time: whoever the server signs in is signed in here. A refusal is said
    /// in the server's words in the field that `refused` names, after it did what else the
    /// refusal calls for; `None` when the refusal leaves this page and there is nothing to say.
    fn send(
        self,
        mistake: Option<(&'static str, &'static str)>,
        request: impl Future<Output = Result<Me, RemoteError>> + 'static,
        refused: impl FnOnce(&RemoteError) -> Option<&'static str> + 'static,
    ) {
        if self.busy.get_untracked() {
            return;
        }
        if let Some((message, field)) = mistake {
            self.error.set(Some(message.to_owned()));
            focus(field);
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            let answer = request.await;
            self.busy.try_set(false);
            match answer {
                Ok(me) => self.account.signed_in(me),
                Err(error) => {
                    if let Some(field) = refused(&error) {
                        self.error.try_set(Some(error.to_string()));
                        focus(field);
                    }
                }
            }
        });
    }
}

/// `/` and every other address, on a server that is set up, for somebody not signed in.
#[component]
pub fn SignInPage() -> impl IntoView {
    set_document_title("Sign in");
    let form = Form::new();
    let (account, error, busy) = (form.account, form.error, form.busy);
    let notice = move || match account.phase.get() {
        Phase::SignedOut { notice } => notice,
        _ => None,
    };
    let (name, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let sign_in = SignIn { name: name.get_untracked().trim().to_owned(), password: password.get_untracked() };
        let mistake = match (sign_in.name.is_empty(), sign_in.password.is_empty()) {
            (true, _) => Some(("Type your name.", NAME)),
            (false, true) => Some(("Type your password.", PASSWORD)),
            (false, false) => None,
        };
        form.send(mistake, async move { remote::sign_in(&sign_in).await }, move |refused| {
            // A wrong password is typed again from nothing; the name stays.
            if matches!(refused, RemoteError::Refused { status: 401, .. }) {
                password.try_set(String::new());
            }
            Some(PASSWORD)
        });
    };
    focus(NAME);
    view! {
        <article class="account-page">
            <h1>"Sign in"</h1>
            <p class="lead">"Sign in to Handoff Studio with your name and the password an admin gave you."</p>
            <p class="account-notice" role="status">{notice}</p>
            <form class="account-form" on:submit=submit novalidate>
                {field(NAME, "Name", "text", "username", name, None, error)}
                {field(PASSWORD, "Password", "password", "current-password", password, None, error)}
                {error_line(error)}
                <button type="submit" class="button primary" disabled=move || busy.get()>"Sign in"</button>
            </form>
        </article>
    }
}

/// Every address, on a server where nobody has a password yet: the first admin is created here.
/// There is no default account and no default password anywhere.
#[component]
pub fn SetupPage() -> impl IntoView {
    set_document_title("Set up");
    let form = Form::new();
    let (account, error, busy) = (form.account, form.error, form.busy);
    let (name, password, repeated) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let setup = Setup { name: name.get_untracked().trim().to_owned(), password: password.get_untracked() };
        let mistake = if setup.name.is_empty() {
            Some(("Type your name.", NAME))
        } else if setup.password.is_empty() {
            Some(("Choose a password.", PASSWORD))
        } else if setup.password != repeated.get_untracked() {
            Some(("The two passwords are not the same: type the password again in both fields.", REPEAT))
        } else {
            None
        };
        form.send(mistake, async move { remote::set_up(&setup).await }, move |refused| match refused {
            // Somebody else set the server up meanwhile: this person signs in instead.
            RemoteError::Refused { status: 409, message } => {
                account.signed_out(message);
                None
            }
            _ => Some(NAME),
        });
    };
    focus(NAME);
    view! {
        <article class="account-page">
            <h1>"Set up Handoff Studio"</h1>
            <p class="lead">
                "Nobody has an account on this server yet. Create the first admin: you sign in with this "
                "name and password, and then give each live agent a password in Settings."
            </p>
            <form class="account-form" on:submit=submit novalidate>
                {field(NAME, "Your name", "text", "username", name, None, error)}
                {field(
                    PASSWORD,
                    "Password",
                    "password",
                    "new-password",
                    password,
                    Some(("account-password-hint", "At least 12 characters.")),
                    error,
                )}
                {field(REPEAT, "Password again", "password", "new-password", repeated, None, error)}
                {error_line(error)}
                <button type="submit" class="button primary" disabled=move || busy.get()>
                    "Create the first admin"
                </button>
            </form>
        </article>
    }
}
