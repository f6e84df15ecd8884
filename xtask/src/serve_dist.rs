//! Serves the release build in `dist/` on a free loopback port, for the end-to-end tests.
//! `tiny_http` speaks HTTP (keep-alive, HEAD without a body, malformed requests); this module only
//! picks the file and its content type.
//!
//! Like any single-page app host it answers every path that is not a file with `index.html`, so
//! the app's router (and its not-found page) handles deep links such as `/inbox`.

use std::fs::File;
use std::path::{Path, PathBuf};

use tiny_http::{Header, Method, Request, Response, Server};

/// Starts serving `root` in background threads and returns the base URL, e.g. `http://127.0.0.1:41234`.
/// The server lives as long as the xtask process.
pub fn start(root: &Path) -> Result<String, String> {
    let server = Server::http("127.0.0.1:0").map_err(|error| format!("cannot bind a loopback port: {error}"))?;
    let address = server.server_addr().to_ip().ok_or("the server listens on no IP address")?;
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let root = root.clone();
            // One thread per request, so a slow answer never holds up the browser's other fetches.
            std::thread::spawn(move || {
                // A browser that drops a connection mid-answer is no failure of the app.
                let _ = answer(request, &root);
            });
        }
    });
    Ok(format!("http://{address}"))
}

fn answer(request: Request, root: &Path) -> std::io::Result<()> {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return request.respond(Response::from_string("only GET and HEAD").with_status_code(405));
    }
    let Some(file) = resolve(root, request.url()) else {
        return request.respond(Response::from_string("bad path").with_status_code(400));
    };
    let response = Response::from_file(File::open(&file)?)
        .with_header(header("Content-Type", content_type(&file)))
        // Each test run serves a new build: the browser must never answer from its cache.
        .with_header(header("Cache-Control", "no-store"));
    request.respond(response)
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("an ASCII header")
}

/// The file for a request target: the file itself when it exists, `index.html` otherwise.
/// `None` for a path that tries to leave `root`.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if path.split('/').any(|segment| segment == "..") {
        return None;
    }
    let candidate = root.join(path.trim_start_matches('/'));
    Some(if candidate.is_file() { candidate } else { root.join("index.html") })
}

/// The kinds of file Trunk writes into `dist/`. A table of our own rather than a MIME crate:
/// the build holds only these, and browsers insist only on `application/wasm` (for streaming
/// compilation) and a JavaScript type (for modules).
fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|extension| extension.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::{resolve, start};
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::path::Path;

    #[test]
    fn deep_links_fall_back_to_the_app_and_escapes_are_refused() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(resolve(root, "/Cargo.toml?x=1"), Some(root.join("Cargo.toml")));
        assert_eq!(resolve(root, "/inbox"), Some(root.join("index.html")));
        assert_eq!(resolve(root, "/../Cargo.toml"), None);
    }

    /// The whole answer to one request, headers and body, as text.
    fn ask(base: &str, method: &str, path: &str) -> String {
        let address = base.strip_prefix("http://").expect("an http URL");
        let mut stream = TcpStream::connect(address).expect("the server accepts");
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").expect("sent");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("an answer");
        answer
    }

    fn status_and_type(answer: &str) -> (&str, Option<&str>) {
        let status = answer.lines().next().unwrap_or_default();
        let content_type = answer.lines().find_map(|line| line.strip_prefix("Content-Type: "));
        (status, content_type)
    }

    #[test]
    fn a_served_build_answers_files_with_their_types_deep_links_with_the_app_and_refuses_the_rest() {
        let root = std::env::temp_dir().join(format!("xtask-serve-dist-{}", std::process::id()));
        std::fs::create_dir_all(&root).expect("a temporary folder");
        std::fs::write(root.join("index.html"), "<title>app</title>").expect("written");
        std::fs::write(root.join("app_bg.wasm"), b"\0asm").expect("written");
        std::fs::write(root.join("app.js"), "export {}").expect("written");
        let base = start(&root).expect("the server starts");
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");

        let wasm = ask(&base, "GET", "/app_bg.wasm");
        assert_eq!(status_and_type(&wasm), ("HTTP/1.1 200 OK", Some("application/wasm")), "{wasm}");
        assert!(wasm.ends_with("\0asm"), "{wasm}");
        assert_eq!(status_and_type(&ask(&base, "GET", "/app.js?v=1")), ("HTTP/1.1 200 OK", Some("text/javascript")));
        let deep_link = ask(&base, "GET", "/inbox");
        assert_eq!(status_and_type(&deep_link), ("HTTP/1.1 200 OK", Some("text/html; charset=utf-8")));
        assert!(deep_link.ends_with("<title>app</title>"), "{deep_link}");
        assert!(deep_link.contains("Cache-Control: no-store"), "{deep_link}");
        let head = ask(&base, "HEAD", "/");
        assert!(head.starts_with("HTTP/1.1 200 OK") && head.ends_with("\r\n\r\n"), "no body: {head}");

        assert!(ask(&base, "GET", "/../Cargo.toml").starts_with("HTTP/1.1 400"));
        assert!(ask(&base, "POST", "/").starts_with("HTTP/1.1 405"));
        std::fs::remove_dir_all(&root).expect("removed");
    }
}
