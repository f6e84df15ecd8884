//! A minimal static file server for the release build in `dist/`, on a free loopback port,
//! for the end-to-end tests.
//!
//! Like any single-page app host it answers every path that is not a file with `index.html`, so
//! the app's router (and its not-found page) handles deep links such as `/inbox`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

/// Starts serving `root` in background threads and returns the base URL, e.g. `http://127.0.0.1:41234`.
/// The server lives as long as the xtask process.
pub fn start(root: &Path) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|error| format!("cannot bind a loopback port: {error}"))?;
    let address = listener.local_addr().map_err(|error| error.to_string())?;
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                // A browser that drops a connection mid-answer is no failure of the app.
                let _ = answer(stream, &root);
            });
        }
    });
    Ok(format!("http://{address}"))
}

fn answer(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers; nothing in them changes the answer.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return respond(&mut stream, "405 Method Not Allowed", "text/plain", b"only GET and HEAD", method == "HEAD");
    }
    let Some(file) = resolve(root, target) else {
        return respond(&mut stream, "400 Bad Request", "text/plain", b"bad path", false);
    };
    let body = std::fs::read(&file)?;
    respond(&mut stream, "200 OK", content_type(&file), &body, method == "HEAD")
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

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::resolve;
    use std::path::Path;

    #[test]
    fn deep_links_fall_back_to_the_app_and_escapes_are_refused() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(resolve(root, "/Cargo.toml?x=1"), Some(root.join("Cargo.toml")));
        assert_eq!(resolve(root, "/inbox"), Some(root.join("index.html")));
        assert_eq!(resolve(root, "/../Cargo.toml"), None);
    }
}
