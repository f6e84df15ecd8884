//! `handoff-load --url URL --agent NAME=PASSWORD... [--sockets N] [--seconds S] [--rate R] [--server-pid PID]`
//!
//! Drives a running `handoff-server` (seeded with `--demo`) on loopback, as `cargo xtask
//! bench-server` does, and prints each figure as `server NAME: VALUE UNIT`:
//!
//! 1. `sockets-held`: live agents' WebSockets opened at once (`--watchers`' sessions in turn:
//!    by default the agents of the other teams, see `WATCHERS`), each
//!    sent its `Hello` and answered with a whole view, still open after a pause; with the
//!    server's resident memory before and after, `memory-per-socket`.
//! 2. With those sockets still open (every batch is fanned out to all of them), customers are
//!    handed off at `--rate` chats a second for `--seconds` (French chats under Voluntary, from
//!    many loopback addresses so that the per-address limit on starting chats holds), and the
//!    two Francophone agents claim each pending chat their socket shows and close it:
//!    `claim-p50` and `claim-p99` (a claim's HTTP round trip, won or lost).
//! 3. With the sockets still open, 32 customers each send messages back to back for five
//!    seconds: `events-per-s`, the events the server committed a second.
//!
//! Bounded in time and count; loopback only.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use handoff::viewer::Replica;
use handoff::{ChatId, ChatStatus, Workspace};
use handoff_wire::{ClientFrame, ServerFrame};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Http = Client<HttpConnector, Full<Bytes>>;
type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

#[derive(Debug)]
struct Arguments {
    url: String,
    agents: Vec<(String, String)>,
    sockets: usize,
    seconds: u64,
    rate: u32,
    server_pid: Option<u32>,
    /// Whose sessions hold the sockets, in turn.
    watchers: Vec<String>,
}

const USAGE: &str = "usage: handoff-load --url URL --agent NAME=PASSWORD... [--sockets N] [--seconds S] [--rate R] \
                     [--server-pid PID] [--watchers NAME,NAME...]";

/// The agents whose sessions hold the sockets unless `--watchers` says otherwise: the demo's
/// live agents outside the Francophone team and not admins, so that, as in a real teamspace,
/// the held sockets are other teams' agents, told the Francophone agents' states (their load
/// changes with every claim and close) but none of the French chats.
const WATCHERS: [&str; 3] = ["Jonas Weber", "Priya Shah", "Lucía Gómez"];

fn arguments() -> Result<Arguments, String> {
    let mut parsed = Arguments {
        url: String::new(),
        agents: Vec::new(),
        sockets: 1000,
        seconds: 10,
        rate: 20,
        server_pid: None,
        watchers: WATCHERS.map(str::to_owned).to_vec(),
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let value = given.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = |value: &str| value.parse::<u64>().map_err(|_| format!("{flag} {value}: not a number"));
        match flag.as_str() {
            "--url" => parsed.url = value.trim_end_matches('/').to_owned(),
            "--agent" => {
                let (name, password) =
                    value.split_once('=').ok_or_else(|| format!("--agent {value}: NAME=PASSWORD"))?;
                parsed.agents.push((name.to_owned(), password.to_owned()));
            }
            "--sockets" => parsed.sockets = usize::try_from(number(&value)?).map_err(|error| error.to_string())?,
            "--seconds" => parsed.seconds = number(&value)?,
            "--rate" => parsed.rate = u32::try_from(number(&value)?).map_err(|error| error.to_string())?,
            "--watchers" => parsed.watchers = value.split(',').map(|name| name.trim().to_owned()).collect(),
            "--server-pid" => parsed.server_pid = Some(u32::try_from(number(&value)?).map_err(|e| e.to_string())?),
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    if parsed.url.is_empty() {
        return Err(USAGE.to_owned());
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let outcome = match arguments() {
        Ok(arguments) => run(arguments).await,
        Err(message) => Err(message),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("handoff-load: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// One client per loopback source address: the server limits chats started per address.
fn client_from(address: Option<Ipv4Addr>) -> Http {
    let mut connector = HttpConnector::new();
    connector.set_local_address(address.map(IpAddr::V4));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new()).build(connector)
}

struct Load {
    url: String,
    http: Http,
    /// Set when the saturation phase is over.
    saturating: std::sync::atomic::AtomicBool,
}

impl Load {
    async fn call(
        &self,
        http: &Http,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> Result<(StatusCode, Option<String>, Value), String> {
        let mut request =
            Request::builder().method(method).uri(format!("{}{path}", self.url)).header("origin", &self.url);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                Full::new(Bytes::from(body.to_string()))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request.body(body).map_err(|error| error.to_string())?;
        let response = http.request(request).await.map_err(|error| format!("{path}: {error}"))?;
        let status = response.status();
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .map(str::to_owned);
        let bytes = response.into_body().collect().await.map_err(|error| error.to_string())?.to_bytes();
        Ok((status, cookie, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
    }

    /// Signs in from a loopback address of its own (`from`), below the per-address limit.
    async fn sign_in(&self, name: &str, password: &str, from: u8) -> Result<String, String> {
        let body = json!({"name": name, "password": password});
        let http = client_from(Some(Ipv4Addr::new(127, 0, 1, from)));
        let (status, cookie, answer) = self.call(&http, Method::POST, "/api/session", None, Some(body)).await?;
        match (status, cookie) {
            (StatusCode::OK, Some(cookie)) => Ok(cookie),
            _ => Err(format!("signing in {name}: {status} {answer}")),
        }
    }

    /// A staff command with a fresh key: its status and outcome.
    async fn command(&self, cookie: &str, key: &str, command: Value) -> Result<(StatusCode, Value), String> {
        let body = json!({"key": key, "command": command});
        let (status, _, answer) =
            self.call(&self.http, Method::POST, "/api/commands", Some(cookie), Some(body)).await?;
        Ok((status, answer))
    }

    async fn socket(&self, cookie: &str) -> Result<(Socket, Option<Workspace>, ServerFrame), String> {
        let url = format!("{}/api/socket", self.url.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().map_err(|error| error.to_string())?;
        let headers = request.headers_mut();
        headers.insert("cookie", cookie.parse().map_err(|_| "a cookie".to_owned())?);
        headers.insert("origin", self.url.parse().map_err(|_| "an origin".to_owned())?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|error| error.to_string())?;
        let hello = ClientFrame::Hello { since: None, journal: None, workspace: None, token: None };
        let hello = serde_json::to_string(&hello).map_err(|error| error.to_string())?;
        socket.send(Message::text(hello)).await.map_err(|error| error.to_string())?;
        let mut workspace = None;
        loop {
            match next_frame(&mut socket).await? {
                ServerFrame::Workspace { document, .. } => {
                    workspace = Some(handoff::load_workspace(&document).map_err(|error| error.to_string())?);
                }
                frame @ ServerFrame::View { .. } => return Ok((socket, workspace, frame)),
                other => return Err(format!("a socket's first frames: {other:?}")),
            }
        }
    }
}

async fn next_frame(socket: &mut Socket) -> Result<ServerFrame, String> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Binary(bytes))) => {
                return ServerFrame::from_bytes(&bytes).map_err(|error| error.to_string());
            }
            Some(Ok(Message::Close(_))) | None => return Err("the socket closed".to_owned()),
            Some(Ok(_)) => continue,
            Some(Err(error)) => return Err(error.to_string()),
        }
    }
}

/// The server's resident memory, in KiB.
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn password<'a>(arguments: &'a Arguments, name: &str) -> Result<&'a str, String> {
    arguments
        .agents
        .iter()
        .find(|(held, _)| held == name)
        .map(|(_, password)| password.as_str())
        .ok_or_else(|| format!("no --agent for {name}"))
}

static KEYS: AtomicU64 = AtomicU64::new(0);

fn key() -> String {
    format!("load-{}-{}", std::process::id(), KEYS.fetch_add(1, Ordering::Relaxed))
}

async fn run(arguments: Arguments) -> Result<(), String> {
    let load = Arc::new(Load { url: arguments.url.clone(), http: client_from(None), saturating: Default::default() });
    let admin = load.sign_in("Sam Rivera", password(&arguments, "Sam Rivera")?, 1).await?;
    let claimers = [
        (2_u32, load.sign_in("Amélie Laurent", password(&arguments, "Amélie Laurent")?, 2).await?),
        (6_u32, load.sign_in("Noah Martin", password(&arguments, "Noah Martin")?, 3).await?),
    ];
    let mut watchers = Vec::new();
    for (index, name) in arguments.watchers.iter().enumerate() {
        let from = u8::try_from(10 + index).map_err(|_| "too many watchers")?;
        watchers.push(load.sign_in(name, password(&arguments, name)?, from).await?);
    }
    if watchers.is_empty() {
        return Err("no --watchers".to_owned());
    }

    // 1. Sockets held.
    let before = arguments.server_pid.and_then(resident_kib);
    let held = Arc::new(AtomicUsize::new(0));
    let frames = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let opening = Arc::new(tokio::sync::Semaphore::new(256));
    let started = Instant::now();
    let mut openers = Vec::new();
    for index in 0..arguments.sockets {
        let watcher = watchers[index % watchers.len()].clone();
        let (load, held, frames, opening) =
            (Arc::clone(&load), Arc::clone(&held), Arc::clone(&frames), Arc::clone(&opening));
        let mut stopped = stopped.clone();
        openers.push(tokio::spawn(async move {
            let permit = opening.acquire_owned().await;
            let Ok((mut socket, _, _)) = load.socket(&watcher).await else { return };
            drop(permit);
            held.fetch_add(1, Ordering::Relaxed);
            loop {
                tokio::select! {
                    frame = socket.next() => match frame {
                        Some(Ok(_)) => { frames.fetch_add(1, Ordering::Relaxed); }
                        _ => { held.fetch_sub(1, Ordering::Relaxed); return; }
                    },
                    _ = stopped.changed() => { let _ = socket.close(None).await; return; }
                }
            }
        }));
    }
    while held.load(Ordering::Relaxed) < arguments.sockets && started.elapsed() < Duration::from_secs(120) {
        if openers.iter().all(|opener| opener.is_finished()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let opened_in = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sockets_held = held.load(Ordering::Relaxed);
    let after = arguments.server_pid.and_then(resident_kib);
    println!("server sockets-held: {sockets_held} sockets");
    println!(
        "  ({} asked for, opened in {:.1} s, held by {})",
        arguments.sockets,
        opened_in.as_secs_f64(),
        arguments.watchers.join(", ")
    );
    if let (Some(before), Some(after)) = (before, after) {
        let per = after.saturating_sub(before) as f64 / sockets_held.max(1) as f64;
        println!("server memory-per-socket: {per:.1} KiB");
        println!("  (resident {before} KiB before, {after} KiB with the sockets open)");
    }

    // 2. Claims under a steady load of customers handed off.
    let voluntary =
        json!({"command": "set_assignment", "agent": 1, "assignment": {"method": "voluntary", "auto_assign_cap": 3}});
    let (status, answer) = load.command(&admin, &key(), voluntary).await?;
    if !status.is_success() {
        return Err(format!("setting Voluntary: {status} {answer}"));
    }
    let first_position = answer["first"].as_u64().unwrap_or(0);
    let latest = Arc::new(AtomicU64::new(first_position));
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let won = Arc::new(AtomicUsize::new(0));
    let mut claiming = Vec::new();
    for (agent, cookie) in claimers {
        for command in [
            json!({"command": "sign_in", "agent": agent}),
            json!({"command": "set_presence", "agent": agent, "presence": "online"}),
        ] {
            let (status, answer) = load.command(&cookie, &key(), command).await?;
            if !status.is_success() {
                return Err(format!("agent {agent} at the desk: {status} {answer}"));
            }
        }
        let (socket, workspace, view) = load.socket(&cookie).await?;
        let workspace = workspace.ok_or("no workspace on a staff socket")?;
        let ServerFrame::View { view, .. } = view else { return Err("no view".to_owned()) };
        let replica = Replica::new(workspace, view);
        let (load, latencies, won, latest, stopped) =
            (Arc::clone(&load), Arc::clone(&latencies), Arc::clone(&won), Arc::clone(&latest), stopped.clone());
        claiming.push(tokio::spawn(claimer(load, agent, cookie, socket, replica, latencies, won, latest, stopped)));
    }

    let handed_off = Arc::new(AtomicUsize::new(0));
    let load_started = Instant::now();
    let total = u64::from(arguments.rate) * arguments.seconds;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(arguments.rate.max(1))));
    let mut customers = Vec::new();
    for index in 0..total {
        ticker.tick().await;
        // 127.0.0.2 to 127.0.0.251, in turn.
        let address = Ipv4Addr::new(127, 0, 0, 2 + u8::try_from(index % 250).unwrap_or(0));
        let (load, handed_off, latest) = (Arc::clone(&load), Arc::clone(&handed_off), Arc::clone(&latest));
        customers.push(tokio::spawn(async move {
            let http = client_from(Some(address));
            let started = load.call(&http, Method::POST, "/api/chats", None, Some(json!({"language": "fr"}))).await;
            let Ok((StatusCode::CREATED, _, started)) = started else { return };
            let (Some(chat), Some(token)) = (started["chat"].as_u64(), started["token"].as_str()) else { return };
            let request = Request::builder()
                .method(Method::POST)
                .uri(format!("{}/api/chats/{chat}/commands", load.url))
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(
                    json!({"key": key(), "action": {"command": "message", "text": "Je veux parler à un humain"}})
                        .to_string(),
                )));
            let Ok(request) = request else { return };
            if let Ok(response) = http.request(request).await
                && response.status().is_success()
                && let Ok(body) = response.into_body().collect().await
                && let Ok(outcome) = serde_json::from_slice::<Value>(&body.to_bytes())
            {
                handed_off.fetch_add(1, Ordering::Relaxed);
                if let (Some(first), Some(count)) = (outcome["first"].as_u64(), outcome["count"].as_u64()) {
                    latest.fetch_max(first + count, Ordering::Relaxed);
                }
            }
        }));
    }
    for customer in customers {
        let _ = customer.await;
    }
    // The last chats are claimed and closed: a little longer, bounded.
    let drain = Instant::now();
    while won.load(Ordering::Relaxed) < handed_off.load(Ordering::Relaxed) && drain.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = load_started.elapsed();
    // 3. As many events as the server commits: customers sending back to back, sockets held.
    let (saturated, saturated_in) = saturate(&load, 32, Duration::from_secs(5)).await;
    let _ = stop.send(true);
    for claimer in claiming {
        let _ = claimer.await;
    }
    for opener in openers {
        let _ = opener.await;
    }

    let mut latencies = latencies.lock().map_err(|_| "a claimer panicked")?.clone();
    latencies.sort_unstable();
    let at = |fraction: f64| {
        let index = ((latencies.len() as f64 * fraction).ceil() as usize).clamp(1, latencies.len().max(1)) - 1;
        latencies.get(index).map_or(f64::NAN, |latency| latency.as_secs_f64() * 1000.0)
    };
    let events = latest.load(Ordering::Relaxed).saturating_sub(first_position);
    println!("server claim-p50: {:.2} ms", at(0.50));
    println!("server claim-p99: {:.2} ms", at(0.99));
    println!("server events-per-s: {:.0} events/s", saturated as f64 / saturated_in.as_secs_f64());
    println!(
        "  ({saturated} events committed in {:.1} s by 32 customers sending back to back; under the steady load, {:.0} events/s)",
        saturated_in.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  ({} chats handed off in {:.1} s, {} claims ({} won), {} events, {} frames to the held sockets)",
        handed_off.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        latencies.len(),
        won.load(Ordering::Relaxed),
        events,
        frames.load(Ordering::Relaxed),
    );
    if latencies.is_empty() {
        return Err("no claim was made".to_owned());
    }
    Ok(())
}

/// `customers` customers, each in a chat of their own, send messages back to back for `time`:
/// the events committed, and how long it took.
async fn saturate(load: &Arc<Load>, customers: u8, time: Duration) -> (u64, Duration) {
    let committed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut senders = Vec::new();
    for customer in 0..customers {
        let (load, committed) = (Arc::clone(load), Arc::clone(&committed));
        senders.push(tokio::spawn(async move {
            let http = client_from(Some(Ipv4Addr::new(127, 0, 2, customer.saturating_add(1))));
            let started = load.call(&http, Method::POST, "/api/chats", None, Some(json!({"language": "en"}))).await;
            let Ok((StatusCode::CREATED, _, started)) = started else { return };
            let (Some(chat), Some(token)) = (started["chat"].as_u64(), started["token"].as_str()) else { return };
            let mut line = 0;
            while !load.saturating.load(Ordering::Relaxed) {
                line += 1;
                let body = json!({"key": key(), "action": {"command": "message", "text": format!("question {line}")}});
                let request = Request::builder()
                    .method(Method::POST)
                    .uri(format!("{}/api/chats/{chat}/commands", load.url))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(body.to_string())));
                let Ok(request) = request else { return };
                let Ok(response) = http.request(request).await else { return };
                let Ok(body) = response.into_body().collect().await else { return };
                if let Ok(outcome) = serde_json::from_slice::<Value>(&body.to_bytes())
                    && let Some(count) = outcome["count"].as_u64()
                {
                    committed.fetch_add(count, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(time).await;
    load.saturating.store(true, Ordering::Relaxed);
    for sender in senders {
        let _ = sender.await;
    }
    (committed.load(Ordering::Relaxed), started.elapsed())
}

/// Claims every pending chat the agent's socket shows, then closes it; each claim timed.
#[allow(clippy::too_many_arguments)]
async fn claimer(
    load: Arc<Load>,
    agent: u32,
    cookie: String,
    mut socket: Socket,
    mut replica: Replica,
    latencies: Arc<Mutex<Vec<Duration>>>,
    won: Arc<AtomicUsize>,
    latest: Arc<AtomicU64>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let mut tried: Vec<ChatId> = Vec::new();
    loop {
        let pending: Vec<(ChatId, u32)> = replica
            .engine()
            .state()
            .chats
            .values()
            .filter(|chat| matches!(chat.status, ChatStatus::Pending { .. }) && !tried.contains(&chat.id))
            .map(|chat| (chat.id, chat.version))
            .collect();
        for (chat, version) in pending {
            tried.push(chat);
            let claim = json!({"command": "claim", "chat": chat.0, "agent": agent, "seen_version": version});
            let started = Instant::now();
            let Ok((status, outcome)) = load.command(&cookie, &key(), claim).await else { continue };
            let took = started.elapsed();
            if let Ok(mut latencies) = latencies.lock() {
                latencies.push(took);
            }
            if status.is_success() {
                won.fetch_add(1, Ordering::Relaxed);
                if let (Some(first), Some(count)) = (outcome["first"].as_u64(), outcome["count"].as_u64()) {
                    latest.fetch_max(first + count, Ordering::Relaxed);
                }
                let close = json!({"command": "close", "chat": chat.0, "agent": agent});
                if let Ok((_, outcome)) = load.command(&cookie, &key(), close).await
                    && let (Some(first), Some(count)) = (outcome["first"].as_u64(), outcome["count"].as_u64())
                {
                    latest.fetch_max(first + count, Ordering::Relaxed);
                }
            }
        }
        tokio::select! {
            frame = next_frame(&mut socket) => match frame {
                Ok(ServerFrame::Changes { changes, .. }) => {
                    if replica.apply(&changes).is_err() {
                        return;
                    }
                }
                Ok(ServerFrame::View { view, .. }) => replica = Replica::new(replica.engine().workspace().clone(), view),
                Ok(_) => {}
                Err(_) => return,
            },
            _ = stopped.changed() => return,
        }
    }
}
