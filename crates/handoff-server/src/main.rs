//! `handoff-server [--data DIR] [--listen ADDR] [--origin URL] [--dist DIR] [--demo] [--sockets-per-address N]
//! [--chat-commands-per-second N]`

use std::net::SocketAddr;
use std::path::PathBuf;

use handoff_server::{AppState, Config, app};
use tracing_subscriber::EnvFilter;

#[derive(Debug)]
struct Arguments {
    data: PathBuf,
    listen: SocketAddr,
    origin: Option<String>,
    dist: Option<PathBuf>,
    demo: bool,
    sockets_per_address: Option<usize>,
    chat_commands_per_second: Option<u32>,
}

const USAGE: &str =
    "usage: handoff-server [--data DIR] [--listen ADDR] [--origin URL] [--dist DIR] [--demo] [--sockets-per-address N]
                      [--chat-commands-per-second N]

  --data DIR     where the database is kept (default: ./data)
  --listen ADDR  the address to listen on (default: 127.0.0.1:8080)
  --origin URL   the address browsers reach the server at (default: http://ADDR)
  --dist DIR     the built app to serve (trunk's dist folder)
  --demo         on an empty database: the starter workspace, with a password for each live agent
  --sockets-per-address N
                 how many WebSockets one client address may hold open (default: 256)
  --chat-commands-per-second N
                 how many commands a customer's chat may send a second, after 20 at once (default: 4)";

fn arguments() -> Result<Arguments, String> {
    let mut parsed = Arguments {
        data: PathBuf::from("data"),
        listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        origin: None,
        dist: None,
        demo: false,
        sockets_per_address: None,
        chat_commands_per_second: None,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || given.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => parsed.data = PathBuf::from(value()?),
            "--listen" => {
                let text = value()?;
                parsed.listen =
                    text.parse().map_err(|_| format!("--listen {text}: not an address like 127.0.0.1:8080"))?;
            }
            "--origin" => parsed.origin = Some(value()?.trim_end_matches('/').to_owned()),
            "--dist" => parsed.dist = Some(PathBuf::from(value()?)),
            "--demo" => parsed.demo = true,
            "--sockets-per-address" => {
                let text = value()?;
                let cap = text.parse().ok().filter(|cap| *cap > 0);
                parsed.sockets_per_address =
                    Some(cap.ok_or_else(|| format!("--sockets-per-address {text}: not a whole number above 0"))?);
            }
            "--chat-commands-per-second" => {
                let text = value()?;
                let rate = text.parse().ok().filter(|rate| *rate > 0);
                parsed.chat_commands_per_second =
                    Some(rate.ok_or_else(|| format!("--chat-commands-per-second {text}: not a whole number above 0"))?);
            }
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to standard error; standard output has only the lines a person reads once.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let arguments = match arguments() {
        Ok(arguments) => arguments,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    match serve(arguments).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("handoff-server: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(arguments: Arguments) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(arguments.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", arguments.listen))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    let origin = arguments.origin.unwrap_or_else(|| format!("http://{address}"));
    let data = std::path::absolute(&arguments.data).unwrap_or(arguments.data);
    println!("handoff-server: data folder {}", data.display());
    let mut config = Config::new(origin.clone());
    if let Some(cap) = arguments.sockets_per_address {
        config.sockets_per_address = cap;
    }
    if let Some(rate) = arguments.chat_commands_per_second {
        config.chat_command_period = std::time::Duration::from_secs(1) / rate;
    }
    let started = AppState::open(&data, config, arguments.demo).await.map_err(|error| error.to_string())?;
    if !started.demo_passwords.is_empty() {
        // Printed once, here, and never logged: the database keeps only their hashes.
        println!("handoff-server: demo passwords (shown only now):");
        for (name, password) in &started.demo_passwords {
            println!("  {name}: {password}");
        }
    }
    if let Some(dist) = &arguments.dist {
        println!("handoff-server: serving the app from {}", dist.display());
    }
    let sweeper = started.state.clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            match sweeper.end_expired_sessions().await {
                Ok(0) => {}
                Ok(ended) => tracing::info!(ended, "expired sessions ended"),
                Err(error) => tracing::warn!(message = %error.message, "expired sessions could not be ended"),
            }
            // The rate limits keep only the addresses still waiting for their allowance.
            let held = sweeper.forget_idle_clients();
            tracing::debug!(held, "client addresses held by the rate limits");
        }
    });
    let router = app(started.state, arguments.dist.as_deref());
    println!("handoff-server: listening on {address}, for pages at {origin}");
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
            println!("handoff-server: stopping");
        })
        .await
        .map_err(|error| error.to_string())
}
