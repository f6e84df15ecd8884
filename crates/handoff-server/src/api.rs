//! The HTTP API and the app's static files: `app(state)` is the whole server, apart from
//! listening, so tests drive it in-process.

use std::path::Path;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path as UrlPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use handoff::viewer::Viewer;
use handoff::workspace::Role;
use handoff::{AgentId, ChatId, Command, Timestamp};
use handoff_wire::{
    ChatStarted, CustomerAction, CustomerCommand, Me, Outcome, PutWorkspace, SetPassword, SetupState, SignIn,
    StaffCommand, StartChat, VersionedWorkspace, WorkspaceConflict,
};
use serde::de::DeserializeOwned;
use sqlx::Row;
use tower_governor::GovernorLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{self, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::journal::Keyed;
use crate::limits::PerAddress;
use crate::secret;
use crate::server::{Answer, AppState, PutRefused, WorkspaceSaved, insert_session, now, workspace_value};
use crate::socket;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "handoff_session";

/// The whole server: the API under `/api`, and the app from `dist` (when given) for every other
/// path, `index.html` for the app's own routes.
pub fn app(state: AppState, dist: Option<&Path>) -> Router {
    let limit = state.config().body_limit;
    let mut router = Router::new().nest("/api", api(state.clone())).layer(DefaultBodyLimit::max(limit));
    if let Some(dist) = dist {
        let files = ServeDir::new(dist).fallback(ServeFile::new(dist.join("index.html")));
        router = router.fallback_service(files);
    }
    router.layer(CompressionLayer::new()).layer(TraceLayer::new_for_http())
}

fn api(state: AppState) -> Router {
    let limits = state.rate_limits();
    let sign_in_routes = per_address(
        Router::new().route("/session", post(sign_in)).route("/setup", post(set_up)),
        &limits.sign_in,
        "sign-in attempts",
    );
    // Written with the session cookie: only from the server's own pages.
    let staff = Router::new()
        .route("/session", get(who_am_i).delete(sign_out))
        .route("/sessions", axum::routing::delete(sign_out_everywhere))
        .route("/setup", get(setup_state))
        .route("/workspace", get(get_workspace).put(put_workspace))
        .route("/agents/{agent}/password", put(set_password))
        .route("/commands", post(staff_command))
        .route("/socket", get(socket::staff_socket))
        .merge(sign_in_routes)
        // Set on the routes added so far, inside the layers, which see its answers too.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), same_origin));
    // Customers' widgets live on other sites, and their token is no cookie: any origin, and
    // CORS lets those sites' pages read the answers (no credentials: no cookie goes along).
    let cors = CorsLayer::new()
        .allow_origin(cors::Any)
        .allow_methods([Method::POST])
        .allow_headers([CONTENT_TYPE, AUTHORIZATION])
        .max_age(std::time::Duration::from_secs(600));
    // Anyone may start a chat: limited per address, so nobody can fill the journal at will;
    // a chat's commands are limited per chat (`customer_command`).
    let start = Router::new().route("/chats", post(start_chat));
    let customers = per_address(start, &limits.start_chat, "chats started")
        .route("/chats/{chat}/commands", post(customer_command))
        // Inside CORS, which answers preflights (OPTIONS) before it.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors)
        // A WebSocket's handshake is no CORS request: any origin, the token in its first frame.
        .route("/chats/{chat}/socket", get(socket::customer_socket));
    staff.merge(customers).fallback(no_such_endpoint).with_state(state)
}

async fn no_such_endpoint() -> ApiError {
    ApiError::not_found("There is no such endpoint.")
}

/// A known path with a method it does not take (axum keeps the `Allow` header).
async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, format!("This endpoint does not take {method}."))
}

/// `routes` limited per client address by `limit`; past it 429, "Too many `what` from this
/// address".
fn per_address(routes: Router<AppState>, limit: &PerAddress, what: &'static str) -> Router<AppState> {
    routes.layer(GovernorLayer::new(limit.clone()).error_handler(move |error| too_many(what, error)))
}

fn too_many(what: &str, error: tower_governor::GovernorError) -> Response {
    match error {
        tower_governor::GovernorError::TooManyRequests { wait_time, .. } => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many {what} from this address: try again in {} seconds.", wait_time.max(1)),
        )
        .into_response(),
        other => ApiError::internal(format!("rate limiting: {other}")).into_response(),
    }
}

/// Refuses a write that the session cookie would authorise unless it comes from the server's
/// own origin. Browsers send `Origin` with every such request, so one without it is no
/// browser's and is refused too: a script elsewhere cannot make the browser leave it out.
async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let origin = request.headers().get(ORIGIN).map(|origin| origin.to_str().unwrap_or("?").to_owned());
        match origin {
            None => {
                return ApiError::forbidden("This request has no Origin header: writes come from the app's own pages.")
                    .into_response();
            }
            Some(origin) if origin != state.config().origin => {
                return ApiError::forbidden(format!("This request came from another site ({origin}); it is refused."))
                    .into_response();
            }
            Some(_) => {}
        }
    }
    next.run(request).await
}

/// A JSON body, refused in words when it is not one of `T`.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(json_refused(&rejection)),
        }
    }
}

fn json_refused(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as JSON, with the header Content-Type: application/json.",
        ),
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::bad_request(format!("The body is not valid JSON: {}", rejection.body_text()))
        }
        JsonRejection::JsonDataError(_) => {
            ApiError::unprocessable(format!("The body does not have the expected fields: {}", rejection.body_text()))
        }
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large.")
        }
        _ => ApiError::bad_request(format!("The body cannot be read: {}", rejection.body_text())),
    }
}

/// The signed-in live agent (or admin) a request's session cookie names.
#[derive(Debug, Clone)]
pub struct Staff {
    pub agent: AgentId,
    pub name: String,
    pub admin: bool,
    token_hash: Vec<u8>,
    /// When the session ends (it does not slide with use).
    expires_at: Timestamp,
}

impl Staff {
    fn me(&self) -> Me {
        Me { agent: self.agent, name: self.name.clone(), admin: self.admin }
    }

    pub fn token_hash(&self) -> &[u8] {
        &self.token_hash
    }

    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    fn require_admin(&self, what: &str) -> Result<(), ApiError> {
        match self.admin {
            true => Ok(()),
            false => Err(ApiError::forbidden(format!("Only admins may {what}."))),
        }
    }
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Staff, ApiError> {
        let signed_out = || ApiError::unauthorized("Sign in first.");
        let token = cookie_value(&parts.headers, SESSION_COOKIE).ok_or_else(signed_out)?;
        let token_hash = secret::token_hash(token);
        let row = sqlx::query("SELECT agent, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash.as_slice())
            .bind(millis(now()))
            .fetch_optional(state.pool())
            .await?
            .ok_or_else(signed_out)?;
        let agent = u32::try_from(row.try_get::<i64, _>("agent")?).map(AgentId).map_err(|_| signed_out())?;
        let expires_at = Timestamp(u64::try_from(row.try_get::<i64, _>("expires_at")?).unwrap_or(0));
        let (_, workspace) = state.workspace();
        let found = workspace.teamspace.agent(agent).ok_or_else(signed_out)?;
        Ok(Staff { agent, name: found.name.clone(), admin: found.role == Role::Admin, token_hash, expires_at })
    }
}

fn millis(timestamp: Timestamp) -> i64 {
    i64::try_from(timestamp.0).unwrap_or(i64::MAX)
}

/// A new session for `agent`: its token's hash to store, when it expires, and the cookie.
fn new_session(state: &AppState) -> Result<(Vec<u8>, i64, HeaderValue), ApiError> {
    let token = secret::new_token().map_err(ApiError::internal)?;
    let lifetime = state.config().session_lifetime;
    let expires_at = millis(now()).saturating_add(i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX));
    let secure = if state.config().secure_cookies() { "; Secure" } else { "" };
    let cookie =
        format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", lifetime.as_secs());
    let cookie = HeaderValue::from_str(&cookie).map_err(ApiError::internal)?;
    Ok((secret::token_hash(&token), expires_at, cookie))
}

fn cleared_cookie(state: &AppState) -> HeaderValue {
    let secure = if state.config().secure_cookies() { "; Secure" } else { "" };
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("handoff_session=; Max-Age=0"))
}

async fn setup_state(State(state): State<AppState>) -> Result<Json<SetupState>, ApiError> {
    Ok(Json(SetupState { open: state.setup_open().await? }))
}

async fn hashed(state: &AppState, password: String) -> Result<String, ApiError> {
    secret::check_password(&password).map_err(ApiError::unprocessable)?;
    state.hash(move || secret::hash_password(&password)).await?.map_err(ApiError::internal)
}

async fn set_up(State(state): State<AppState>, Body(setup): Body<handoff_wire::Setup>) -> Result<Response, ApiError> {
    if !state.setup_open().await? {
        return Err(ApiError::conflict("This server is set up already: sign in instead."));
    }
    let hash = hashed(&state, setup.password).await?;
    let (token_hash, expires_at, cookie) = new_session(&state)?;
    let agent = state.set_up(&setup.name, hash, &token_hash, expires_at).await?;
    let (_, workspace) = state.workspace();
    let name = workspace.teamspace.agent(agent).map(|agent| agent.name.clone()).unwrap_or_default();
    tracing::info!(%agent, "the first admin was created");
    let me = Me { agent, name, admin: true };
    Ok((StatusCode::CREATED, [(SET_COOKIE, cookie)], Json(me)).into_response())
}

fn folded(name: &str) -> String {
    name.trim().to_lowercase()
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(sign_in): Body<SignIn>,
) -> Result<Response, ApiError> {
    let (_, workspace) = state.workspace();
    let wanted = folded(&sign_in.name);
    let candidates: Vec<(AgentId, String, bool)> = workspace
        .teamspace
        .agents
        .iter()
        .filter(|agent| folded(&agent.name) == wanted)
        .map(|agent| (agent.id, agent.name.clone(), agent.role == Role::Admin))
        .collect();
    let mut hashes = Vec::new();
    for (agent, ..) in &candidates {
        let row = sqlx::query("SELECT hash FROM passwords WHERE agent = $1")
            .bind(i64::from(agent.0))
            .fetch_optional(state.pool())
            .await?;
        if let Some(row) = row {
            hashes.push((*agent, row.try_get::<String, _>("hash")?));
        }
    }
    let password = sign_in.password;
    let matched = state
        .hash(move || {
            if hashes.is_empty() {
                // As long as a wrong password takes, so that timing does not tell which names exist.
                let _ = secret::hash_password(&password);
            }
            hashes.into_iter().find(|(_, hash)| secret::password_matches(&password, hash)).map(|(agent, _)| agent)
        })
        .await?;
    let Some(agent) = matched else {
        return Err(ApiError::unauthorized("The name or the password is wrong."));
    };
    let (token_hash, expires_at, cookie) = new_session(&state)?;
    // The browser's old session cookie is replaced by the new one: its session ends with it,
    // so none is left behind that nobody holds.
    let old = cookie_value(&headers, SESSION_COOKIE).map(secret::token_hash);
    let mut transaction = state.pool().begin().await?;
    let mut replaced = None;
    if let Some(old) = &old {
        replaced = sqlx::query_scalar::<_, i64>("DELETE FROM sessions WHERE token_hash = $1 RETURNING agent")
            .bind(old)
            .fetch_optional(&mut *transaction)
            .await?;
    }
    insert_session(&mut transaction, &token_hash, agent, expires_at).await?;
    transaction.commit().await?;
    if let (Some(old), Some(_)) = (old, replaced) {
        state.sessions_ended(vec![old]);
    }
    // Someone else signed in where they were: signed out at the desk once nothing of theirs is left.
    if let Some(replaced) = replaced.and_then(|replaced| u32::try_from(replaced).ok()).map(AgentId)
        && replaced != agent
    {
        state.sign_out_at_the_desk_when_gone(replaced).await?;
    }
    tracing::info!(%agent, "signed in");
    let (name, admin) =
        candidates.into_iter().find(|(id, ..)| *id == agent).map(|(_, name, admin)| (name, admin)).unwrap_or_default();
    Ok(([(SET_COOKIE, cookie)], Json(Me { agent, name, admin })).into_response())
}

async fn who_am_i(staff: Staff) -> Json<Me> {
    Json(staff.me())
}

/// Whether the session of this token hash is still there and unexpired (asked once when a
/// socket opens, and again only when it missed what the feed said).
pub async fn session_alive(state: &AppState, token_hash: &[u8]) -> Result<bool, ApiError> {
    let row = sqlx::query("SELECT 1 FROM sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash)
        .bind(millis(now()))
        .fetch_optional(state.pool())
        .await?;
    Ok(row.is_some())
}

/// Whether `token` is the chat's. An unknown chat is as a wrong token: a token tells nothing
/// about other chats.
pub async fn chat_token_matches(state: &AppState, chat: ChatId, token: &str) -> Result<bool, ApiError> {
    let row = sqlx::query("SELECT token_hash FROM chat_tokens WHERE chat = $1")
        .bind(i64::from(chat.0))
        .fetch_optional(state.pool())
        .await?;
    let stored: Option<Vec<u8>> = row.map(|row| row.try_get("token_hash")).transpose()?;
    Ok(stored.is_some_and(|stored| secret::token_matches(token, &stored)))
}

async fn sign_out(State(state): State<AppState>, staff: Staff) -> Result<Response, ApiError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(staff.token_hash.as_slice())
        .execute(state.pool())
        .await?;
    state.sessions_ended(vec![staff.token_hash.clone()]);
    state.sign_out_at_the_desk_when_gone(staff.agent).await?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cleared_cookie(&state))]).into_response())
}

async fn sign_out_everywhere(State(state): State<AppState>, staff: Staff) -> Result<Response, ApiError> {
    let ended = sqlx::query_scalar("DELETE FROM sessions WHERE agent = $1 RETURNING token_hash")
        .bind(i64::from(staff.agent.0))
        .fetch_all(state.pool())
        .await?;
    state.sessions_ended(ended);
    state.sign_out_at_the_desk_when_gone(staff.agent).await?;
    tracing::info!(agent = %staff.agent, "signed out everywhere");
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, cleared_cookie(&state))]).into_response())
}

/// The number in a path (`/api/chats/{chat}/…`); a path that is no number, or no text at all
/// (`%FF`), names nothing.
pub fn parse_id(path: Result<UrlPath<String>, PathRejection>, what: &str) -> Result<u32, ApiError> {
    let UrlPath(text) = path.map_err(|_| {
        ApiError::not_found(format!("There is no such {what}: its number in the address cannot be read."))
    })?;
    text.parse().map_err(|_| ApiError::not_found(format!("There is no {what} {text}.")))
}

async fn set_password(
    State(state): State<AppState>,
    staff: Staff,
    agent: Result<UrlPath<String>, PathRejection>,
    Body(body): Body<SetPassword>,
) -> Result<StatusCode, ApiError> {
    staff.require_admin("set live agents' passwords")?;
    let agent = AgentId(parse_id(agent, "live agent")?);
    let (_, workspace) = state.workspace();
    if workspace.teamspace.agent(agent).is_none() {
        return Err(ApiError::not_found(format!("There is no live agent {}.", agent.0)));
    }
    let hash = hashed(&state, body.password).await?;
    let mut transaction = state.pool().begin().await?;
    sqlx::query(
        "INSERT INTO passwords (agent, hash) VALUES ($1, $2) ON CONFLICT (agent) DO UPDATE SET hash = excluded.hash",
    )
    .bind(i64::from(agent.0))
    .bind(hash)
    .execute(&mut *transaction)
    .await?;
    // A reset password ends the agent's sessions (but the one it is made with: an admin's
    // reset of her own password keeps her signed in).
    let ended = sqlx::query_scalar("DELETE FROM sessions WHERE agent = $1 AND token_hash <> $2 RETURNING token_hash")
        .bind(i64::from(agent.0))
        .bind(staff.token_hash.as_slice())
        .fetch_all(&mut *transaction)
        .await?;
    transaction.commit().await?;
    state.sessions_ended(ended);
    // Nobody who was signed out keeps receiving chats at the desk.
    state.sign_out_at_the_desk_when_gone(agent).await?;
    tracing::info!(%agent, by = %staff.agent, "password set");
    Ok(StatusCode::NO_CONTENT)
}

async fn get_workspace(State(state): State<AppState>, _staff: Staff) -> Json<VersionedWorkspace> {
    let (version, workspace) = state.workspace();
    Json(VersionedWorkspace { version, workspace: workspace_value(&workspace), unfinished: None })
}

async fn put_workspace(
    State(state): State<AppState>,
    staff: Staff,
    Body(body): Body<PutWorkspace>,
) -> Result<Response, ApiError> {
    staff.require_admin("change the workspace")?;
    let workspace = handoff::load_workspace(&body.workspace.to_string())
        .map_err(|error| ApiError::unprocessable(format!("The workspace cannot be read: {error}")))?;
    match state.put_workspace(staff.agent, body.version, workspace).await {
        Ok(WorkspaceSaved { version, workspace, unfinished }) => {
            tracing::info!(version, by = %staff.agent, "workspace saved");
            Ok(Json(VersionedWorkspace { version, workspace: workspace_value(&workspace), unfinished }).into_response())
        }
        Err(PutRefused::Stale { version, workspace }) => {
            let message = format!(
                "The workspace was changed since you opened it (you edited version {}, it is now version {version}): look at the newer one and make your change again.",
                body.version
            );
            let conflict = WorkspaceConflict { message, version, workspace: workspace_value(&workspace) };
            Ok((StatusCode::CONFLICT, Json(conflict)).into_response())
        }
        Err(PutRefused::Error(error)) => Err(error),
    }
}

/// An idempotency key as the client made it: 1 to 128 visible ASCII characters.
fn checked_key(key: &str) -> Result<String, ApiError> {
    let fine = (1..=128).contains(&key.len()) && key.bytes().all(|byte| byte.is_ascii_graphic());
    match fine {
        true => Ok(key.to_owned()),
        false => Err(ApiError::unprocessable("An idempotency key is 1 to 128 visible ASCII characters (a UUID).")),
    }
}

/// The most characters a message, a note or a feedback comment may have. A command over it is
/// refused before it is decided, so nothing of it is stored, not even its key.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// The text a command carries for people to read, if any.
fn text_of(command: &Command) -> Option<&str> {
    match command {
        Command::Reply { text, .. }
        | Command::Note { text, .. }
        | Command::TakeoverAndSend { text, .. }
        | Command::CustomerMessage { text, .. } => Some(text),
        Command::GiveFeedback { comment, .. } => comment.as_deref(),
        Command::SignIn { .. }
        | Command::SignOut { .. }
        | Command::SetPresence { .. }
        | Command::SetAssignment { .. }
        | Command::ServeQueues
        | Command::StartChat { .. }
        | Command::Claim { .. }
        | Command::Transfer { .. }
        | Command::Close { .. } => None,
    }
}

/// Refuses, in words, a command whose text is longer than `MAX_TEXT_CHARS`.
fn checked_text(command: &Command) -> Result<(), ApiError> {
    let length = text_of(command).map_or(0, |text| text.chars().count());
    match length > MAX_TEXT_CHARS {
        true => Err(ApiError::unprocessable(format!(
            "A message, note or comment has at most {MAX_TEXT_CHARS} characters; this one has {length}."
        ))),
        false => Ok(()),
    }
}

/// The command with every agent it names as acting set to `agent`; `None` for a customer's.
fn acting_as(command: Command, agent: AgentId) -> Option<Command> {
    Some(match command {
        Command::SignIn { .. } => Command::SignIn { agent },
        Command::SignOut { .. } => Command::SignOut { agent },
        Command::SetPresence { presence, .. } => Command::SetPresence { agent, presence },
        Command::SetAssignment { assignment, .. } => Command::SetAssignment { agent, assignment },
        Command::ServeQueues => Command::ServeQueues,
        Command::Claim { chat, seen_version, .. } => Command::Claim { chat, agent, seen_version },
        Command::Reply { chat, text, .. } => Command::Reply { chat, agent, text },
        Command::Note { chat, text, .. } => Command::Note { chat, agent, text },
        Command::Transfer { chat, to, .. } => Command::Transfer { chat, agent, to },
        Command::TakeoverAndSend { chat, text, .. } => Command::TakeoverAndSend { chat, agent, text },
        Command::Close { chat, .. } => Command::Close { chat, agent },
        Command::StartChat { .. } | Command::CustomerMessage { .. } | Command::GiveFeedback { .. } => return None,
    })
}

fn answered(answer: Answer) -> Response {
    let mut response = (answer.status, Json(answer.outcome)).into_response();
    if answer.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

async fn staff_command(
    State(state): State<AppState>,
    staff: Staff,
    Body(body): Body<StaffCommand>,
) -> Result<Response, ApiError> {
    let key = checked_key(&body.key)?;
    let command = acting_as(body.command, staff.agent).ok_or_else(|| {
        ApiError::forbidden("Customers' commands go to their chat (POST /api/chats, /api/chats/{chat}/commands).")
    })?;
    checked_text(&command)?;
    let keyed =
        Keyed { actor: staff.agent.to_string(), key, command: serde_json::to_string(&command).unwrap_or_default() };
    Ok(answered(state.run_as(Viewer::Staff { agent: staff.agent }, keyed, command).await?))
}

async fn start_chat(State(state): State<AppState>, Body(body): Body<StartChat>) -> Result<Response, ApiError> {
    let token = secret::new_token().map_err(ApiError::internal)?;
    let (chat, answer) = state.start_chat(body.language, secret::token_hash(&token)).await?;
    match answer.outcome {
        Outcome::Accepted { first, count } => {
            tracing::info!(%chat, "chat started");
            let started = ChatStarted { chat, token, first, count };
            Ok((StatusCode::CREATED, Json(started)).into_response())
        }
        Outcome::Refused { .. } => Ok(answered(answer)),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

async fn customer_command(
    State(state): State<AppState>,
    chat: Result<UrlPath<String>, PathRejection>,
    headers: HeaderMap,
    Body(body): Body<CustomerCommand>,
) -> Result<Response, ApiError> {
    let not_yours = || ApiError::forbidden("This chat's token is missing or wrong.");
    let chat = ChatId(parse_id(chat, "chat")?);
    let token = bearer(&headers).ok_or_else(not_yours)?;
    if !chat_token_matches(&state, chat, token).await? {
        return Err(not_yours());
    }
    // After the token: nobody without it can spend a chat's allowance.
    if let Err(wait) = state.rate_limits().chat_command(chat) {
        let when = match wait.as_secs() + u64::from(wait.subsec_nanos() > 0) {
            0 | 1 => "a second".to_owned(),
            seconds => format!("{seconds} seconds"),
        };
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many messages in this chat at once: try again in {when}."),
        ));
    }
    let key = checked_key(&body.key)?;
    let command = match body.action {
        CustomerAction::Message { text } => Command::CustomerMessage { chat, text },
        CustomerAction::Feedback { rating, comment } => Command::GiveFeedback { chat, rating, comment },
    };
    checked_text(&command)?;
    let keyed = Keyed { actor: chat.to_string(), key, command: serde_json::to_string(&command).unwrap_or_default() };
    Ok(answered(state.run_as(Viewer::Customer { chat }, keyed, command).await?))
}
