//! The WebSocket: one per tab, over which the server keeps the tab's replica of what its viewer
//! may see (`handoff::viewer`) up to date. Commands go over HTTP (`POST /api/commands`, with an
//! idempotency key); the socket only carries what happened.
//!
//! - `GET /api/socket`: a live agent's or an admin's, signed in by the session cookie, from the
//!   server's own origin only (a browser sends `Origin` with every WebSocket handshake, and
//!   axum does not check it: a page elsewhere could otherwise read an agent's inbox).
//! - `GET /api/chats/{chat}/socket`: a customer's, from any origin; the chat's token comes in
//!   the first frame, never in the URL.
//!
//! The first frame is the client's `Hello`; the server answers with a `View` (or `UpToDate`
//! when nothing happened since the `since` the tab holds, in this very journal and on this
//! workspace version: a `Mark`), then `Changes` frames: at once (at
//! most every `Config::urgent_gap`) after a batch that changes what the viewer sees of the
//! chats, as `Listeners` decides once per viewer; within `Config::idle_gap` and its own share of
//! it for the rest (other agents' load), so batches close together are told in one frame and
//! thousands of sockets neither wake for every batch nor all at the same instant. A socket too
//! far behind the batches kept, or a new workspace, gets a whole `View` again; batches that
//! change nothing the viewer sees are told as `UpToDate` with the new position, so that a tab
//! that reconnects after them is not sent everything again. Any other client frame, a wrong
//! token or no `Hello` in time is answered `Refused` and the socket closes; an ended session
//! (its expiry, or `Feed::SessionsEnded` naming it), `SignedOut`.
//!
//! A client cannot hold a socket it no longer reads or answers: one that sends nothing (not even
//! a pong) for three ping intervals is closed, every frame sent must be taken within
//! `Config::send_within`, and each client address holds at most `Config::sockets_per_address`
//! sockets (429 beyond).
//!
//! `serve` is generic over `Sink`/`Stream`, so tests drive it with channels.

use std::time::Duration;

use axum::extract::rejection::PathRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade, close_code};
use axum::extract::{ConnectInfo, Path as UrlPath, State};
use axum::http::HeaderMap;
use axum::http::header::ORIGIN;
use axum::response::Response;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use handoff::viewer::{self, Seen, Viewer};
use handoff::{AgentId, ChatId, Event, Timestamp};
use handoff_wire::{ClientFrame, JournalId, Mark, ServerFrame};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use crate::api::{Staff, chat_token_matches, parse_id, session_alive};
use crate::error::ApiError;
use crate::limits::SocketSlot;
use crate::listeners::Ticket;
use crate::server::{AppState, Feed, now};

/// How long a client has to say `Hello`.
pub const HELLO_WITHIN: Duration = Duration::from_secs(10);
/// The largest frame a client may send: a `Hello` is a few dozen bytes.
pub const MAX_CLIENT_FRAME: usize = 4 * 1024;
/// A client that sends nothing, not even a pong, for this many ping intervals is closed.
pub const SILENT_PINGS: u32 = 3;

/// Who is at the other end, as far as the handshake tells.
#[derive(Debug, Clone)]
pub enum Caller {
    /// Signed in by a session cookie, whose session ends at `expires_at` at the latest (it does
    /// not slide with use; `Feed::SessionsEnded` says when it ends before).
    Staff { agent: AgentId, token_hash: Vec<u8>, expires_at: Timestamp },
    /// A customer's socket on this chat: the token in `Hello` says whether it is theirs.
    Customer { chat: ChatId },
}

pub async fn staff_socket(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    staff: Staff,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let origin = headers.get(ORIGIN).and_then(|origin| origin.to_str().ok());
    if origin != Some(state.config().origin.as_str()) {
        return Err(ApiError::forbidden("This socket opens only from the app's own pages."));
    }
    let caller =
        Caller::Staff { agent: staff.agent, token_hash: staff.token_hash().to_vec(), expires_at: staff.expires_at() };
    upgraded(state, peer, caller, upgrade)
}

pub async fn customer_socket(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    chat: Result<UrlPath<String>, PathRejection>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let chat = ChatId(parse_id(chat, "chat")?);
    upgraded(state, peer, Caller::Customer { chat }, upgrade)
}

fn upgraded(
    state: AppState,
    peer: std::net::SocketAddr,
    caller: Caller,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    // The address's place is taken before the upgrade and given back when the socket ends
    // (or when the upgrade fails, and the closure holding it is dropped).
    let slot: SocketSlot = state.rate_limits().sockets.take(peer.ip()).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "Too many sockets are open from this address: close some of its tabs, or try again later.",
        )
    })?;
    // Small buffers: a client says one short Hello, and frames are written out as they come
    // (the defaults, 128 KiB each way, would be most of a held socket's memory).
    let upgrade = upgrade.read_buffer_size(4 * 1024).write_buffer_size(0);
    Ok(upgrade.max_message_size(MAX_CLIENT_FRAME).max_frame_size(MAX_CLIENT_FRAME).on_upgrade(move |socket| {
        let (write, read) = socket.split();
        async move {
            serve(state, caller, write, read).await;
            drop(slot);
        }
    }))
}

/// Why a socket ends.
enum End {
    /// The client went away, or cannot be written to.
    Gone,
    /// The client sent nothing, not even a pong, for `SILENT_PINGS` ping intervals: the socket
    /// closes (with code 1001, in case it still reads).
    Silent,
    /// Said to the client, then the socket closes with this code.
    Say(ServerFrame, u16),
}

/// Runs one socket to its end.
pub async fn serve<W, R>(state: AppState, caller: Caller, mut write: W, mut read: R)
where
    W: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    let within = state.config().send_within;
    let (reason, code) = match run(&state, caller, &mut write, &mut read).await {
        End::Gone => return,
        End::Silent => ("No answer to pings.".to_owned(), close_code::AWAY),
        End::Say(frame, code) => {
            if !send(&mut write, &frame, within).await {
                return;
            }
            match frame {
                ServerFrame::SignedOut { message } | ServerFrame::Refused { message } => (message, code),
                _ => (String::new(), code),
            }
        }
    };
    // A close frame's reason is at most 123 bytes: cut at a character's boundary.
    let mut cut = reason.len().min(123);
    while !reason.is_char_boundary(cut) {
        cut -= 1;
    }
    let close = CloseFrame { code, reason: reason[..cut].to_owned().into() };
    let _ = tokio::time::timeout(within, write.send(Message::Close(Some(close)))).await;
}

fn binary(frame: &ServerFrame) -> Message {
    Message::Binary(frame.to_bytes().into())
}

fn refused(message: impl Into<String>) -> End {
    End::Say(ServerFrame::Refused { message: message.into() }, close_code::POLICY)
}

fn signed_out() -> End {
    End::Say(ServerFrame::SignedOut { message: "You were signed out: sign in again.".to_owned() }, close_code::NORMAL)
}

/// What a client's `Hello` said.
struct Hello {
    since: Option<u64>,
    journal: Option<JournalId>,
    workspace: Option<u64>,
    token: Option<String>,
}

async fn hello<R>(read: &mut R) -> Result<Hello, End>
where
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    // One deadline for the whole wait: pings and pongs before the Hello do not put it off.
    let deadline = Instant::now() + HELLO_WITHIN;
    loop {
        let frame = match tokio::time::timeout_at(deadline, read.next()).await {
            Err(_) => return Err(refused("No Hello came in time.")),
            Ok(None | Some(Err(_))) => return Err(End::Gone),
            Ok(Some(Ok(frame))) => frame,
        };
        let text = match frame {
            Message::Text(text) => text,
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => return Err(End::Gone),
            Message::Binary(_) => return Err(refused("The first frame must be a Hello, as JSON text.")),
        };
        return match serde_json::from_str::<ClientFrame>(text.as_str()) {
            Ok(ClientFrame::Hello { since, journal, workspace, token }) => {
                Ok(Hello { since, journal, workspace, token })
            }
            Err(error) => Err(refused(format!("The first frame must be a Hello: {error}"))),
        };
    }
}

async fn run<W, R>(state: &AppState, caller: Caller, write: &mut W, read: &mut R) -> End
where
    W: Sink<Message> + Unpin,
    R: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    // Hearing ended sessions from before the Hello: one ended while it was awaited is caught.
    let mut feed = state.subscribe();
    // A session that ended between the handshake's check and the subscription is caught here;
    // after this the socket learns of its session only from the feed and its expiry.
    if let Caller::Staff { token_hash, .. } = &caller
        && !session_alive(state, token_hash).await.unwrap_or(true)
    {
        return signed_out();
    }
    let expiry = async {
        match &caller {
            Caller::Staff { expires_at, .. } => {
                tokio::time::sleep(Duration::from_millis(expires_at.0.saturating_sub(now().0))).await;
            }
            Caller::Customer { .. } => std::future::pending().await,
        }
    };
    let mut expiry = std::pin::pin!(expiry);
    let hello = match hello(read).await {
        Ok(hello) => hello,
        Err(end) => return end,
    };
    let within = state.config().send_within;
    let viewer = match &caller {
        Caller::Staff { agent, .. } => Viewer::Staff { agent: *agent },
        Caller::Customer { chat } => {
            let Some(token) = &hello.token else { return refused("A customer's Hello carries the chat's token.") };
            match chat_token_matches(state, *chat, token).await {
                Ok(true) => Viewer::Customer { chat: *chat },
                Ok(false) => return refused("This chat's token is missing or wrong."),
                Err(_) => return End::Gone,
            }
        }
    };
    // Listening before the first view is read: no batch falls between the two.
    let ticket = state.listen(viewer).await;
    let _leave = Leaving { state, ticket: &ticket };
    let staff = matches!(viewer, Viewer::Staff { .. });
    let (version, _) = state.workspace();
    if staff && hello.workspace != Some(version) && !send(write, &workspace_frame(state), within).await {
        return End::Gone;
    }
    let (frame, mut seen, mut mark) = first_frame(state, viewer, &hello).await;
    if !send(write, &frame, within).await {
        return End::Gone;
    }
    let (urgent_gap, idle_gap) = (state.config().urgent_gap, state.config().idle_gap);
    let ping_every = state.config().ping_every;
    let mut ping = tokio::time::interval_at(Instant::now() + ping_every, ping_every);
    // Put off by every frame the client sends, pongs included.
    let silence = tokio::time::sleep(ping_every * SILENT_PINGS);
    tokio::pin!(silence);
    // Sockets are told of the same batches at once: each catches up on its own phase, so that
    // thousands of them do not all work at the same instant.
    let mut catch_up = tokio::time::interval_at(Instant::now() + idle_gap + spread(idle_gap), idle_gap);
    // What the socket has been told up to (`mark`), and when it is due to be told more: at
    // once for what concerns its viewer (at most every `urgent_gap`), on its tick for the rest.
    let mut due: Option<Instant> = None;
    let mut last_told = Instant::now() - urgent_gap;
    loop {
        let wake = async {
            match due {
                Some(due) => tokio::time::sleep_until(due).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = ticket.notify.notified() => {
                let when = (last_told + urgent_gap).max(Instant::now());
                due = Some(due.map_or(when, |due| due.min(when)));
            }
            _ = catch_up.tick() => {
                if state.latest_batch().is_some_and(|latest| latest > mark.position) {
                    due = Some(Instant::now());
                }
            }
            () = wake => {
                due = None;
                // The batches and the engine at one moment: under the ledger's read guard, every
                // batch up to its position has reached the listeners. The version is read before
                // the engine (see `whole_view`).
                let (workspace, _) = state.workspace();
                let journal = state.journal_id();
                let frame = state.read_at(|engine, position| match state.batches_since(mark.position) {
                    Some((batches, until)) => {
                        let events: Vec<&Event> = batches.iter().flat_map(|batch| batch.iter()).collect();
                        let changes = viewer::changes(engine, viewer, &mut seen, &events);
                        let moved = until > mark.position;
                        mark.position = until;
                        match changes.is_empty() {
                            false => Some(ServerFrame::Changes { at: mark, changes }),
                            // Nothing the viewer sees: the tab's position follows all the same,
                            // so that a reconnect after this is answered `UpToDate`.
                            true => moved.then_some(ServerFrame::UpToDate { at: mark }),
                        }
                    }
                    // Too far behind: everything again, as of now.
                    None => {
                        let (view, fresh) = viewer::view(engine, viewer);
                        (seen, mark) = (fresh, Mark { journal, position, workspace });
                        Some(ServerFrame::View { at: mark, view })
                    }
                }).await;
                if let Some(frame) = frame {
                    if !matches!(frame, ServerFrame::UpToDate { .. }) {
                        last_told = Instant::now();
                    }
                    if !send(write, &frame, within).await {
                        return End::Gone;
                    }
                }
            }
            () = &mut expiry => return signed_out(),
            news = feed.recv() => {
                // A socket that fell behind the feed may have missed its session's end: asked once.
                if let (Err(RecvError::Lagged(_)), Caller::Staff { token_hash, .. }) = (&news, &caller)
                    && !session_alive(state, token_hash).await.unwrap_or(true)
                {
                    return signed_out();
                }
                let frames = match news {
                    Ok(Feed::Workspace { .. }) | Err(RecvError::Lagged(_)) => {
                        if let Caller::Staff { agent, .. } = &caller
                            && state.workspace().1.teamspace.agent(*agent).is_none()
                        {
                            return signed_out();
                        }
                        let (view, fresh, at) = whole_view(state, viewer).await;
                        (seen, mark, due) = (fresh, at, None);
                        match staff {
                            true => vec![workspace_frame(state), view],
                            false => vec![view],
                        }
                    }
                    Ok(Feed::SessionsEnded { token_hashes }) => {
                        if let Caller::Staff { token_hash, .. } = &caller
                            && token_hashes.binary_search(token_hash).is_ok()
                        {
                            return signed_out();
                        }
                        Vec::new()
                    }
                    Err(RecvError::Closed) => return End::Gone,
                };
                for frame in &frames {
                    if !send(write, frame, within).await {
                        return End::Gone;
                    }
                }
            }
            () = &mut silence => return End::Silent,
            frame = read.next() => match frame {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return End::Gone,
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {
                    silence.as_mut().reset(Instant::now() + ping_every * SILENT_PINGS);
                }
                Some(Ok(Message::Text(_) | Message::Binary(_))) => {
                    return refused("This socket takes one Hello and nothing after: commands go to POST /api/commands.");
                }
            },
            _ = ping.tick() => {
                if !matches!(tokio::time::timeout(within, write.send(Message::Ping(Default::default()))).await, Ok(Ok(()))) {
                    return End::Gone;
                }
            }
        }
    }
}

/// Takes a socket off the listeners however it ends.
struct Leaving<'a> {
    state: &'a AppState,
    ticket: &'a Ticket,
}

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        self.state.stop_listening(self.ticket);
    }
}

/// A different part of `whole` for each socket in turn, evenly spread (the golden ratio's steps).
fn spread(whole: Duration) -> Duration {
    static SOCKETS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let turn = SOCKETS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let fraction = (turn.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64;
    whole.mul_f64(fraction)
}

/// Sends `frame`; false when the client cannot be written to, or did not take it `within`
/// (it stopped reading: its socket would otherwise hold the frame, and this task, forever).
async fn send<W>(write: &mut W, frame: &ServerFrame, within: Duration) -> bool
where
    W: Sink<Message> + Unpin,
{
    matches!(tokio::time::timeout(within, write.send(binary(frame))).await, Ok(Ok(())))
}

fn workspace_frame(state: &AppState) -> ServerFrame {
    let (version, workspace) = state.workspace();
    ServerFrame::Workspace { version, document: handoff::workspace_to_json(&workspace) }
}

/// Everything the viewer may see now, what it was told, and where it stands.
async fn whole_view(state: &AppState, viewer: Viewer) -> (ServerFrame, Seen, Mark) {
    // The version is read before the engine: a new workspace's engine is in place before its
    // version is, so a view never names a version newer than the engine it was read from (an
    // older one only costs the tab a whole view when it reconnects).
    let (workspace, _) = state.workspace();
    let journal = state.journal_id();
    state
        .read_at(|engine, position| {
            let (view, seen) = viewer::view(engine, viewer);
            let at = Mark { journal, position, workspace };
            (ServerFrame::View { at, view }, seen, at)
        })
        .await
}

/// The answer to `Hello`: `UpToDate` when the tab holds every event there is, in this journal,
/// on this workspace version (the same events can show otherwise on another: a customer's place
/// in the queue); else a view.
async fn first_frame(state: &AppState, viewer: Viewer, hello: &Hello) -> (ServerFrame, Seen, Mark) {
    let (frame, seen, at) = whole_view(state, viewer).await;
    let current =
        hello.since == Some(at.position) && hello.journal == Some(at.journal) && hello.workspace == Some(at.workspace);
    match current {
        true => (ServerFrame::UpToDate { at }, seen, at),
        false => (frame, seen, at),
    }
}
