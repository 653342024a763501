//! A static file server for the demo site, on 127.0.0.1.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

pub struct StaticSite {
    pub url: String,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

/// File extensions and their media types.
const MEDIA_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("ico", "image/x-icon"),
];

impl StaticSite {
    /// Serves the files of `roots` (the first that has a path wins) on 127.0.0.1:`port`.
    pub fn start(roots: Vec<PathBuf>, port: u16) -> Result<Self, String> {
        let server = Arc::new(
            tiny_http::Server::http(("127.0.0.1", port))
                .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?,
        );
        let thread = {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let response = roots
                        .iter()
                        .map(|root| respond(root, request.url()))
                        .find(|r| r.status_code().0 != 404)
                        .unwrap_or_else(|| tiny_http::Response::from_string("not found").with_status_code(404));
                    let _ = request.respond(response);
                }
            })
        };
        Ok(StaticSite {
            url: format!("http://127.0.0.1:{port}/"),
            server,
            thread: Some(thread),
        })
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn respond(root: &Path, url: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let relative = Path::new(path.trim_start_matches('/'));
    // Only plain names: no "..", no absolute paths.
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return tiny_http::Response::from_string("bad path").with_status_code(400);
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => {
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
            let media = MEDIA_TYPES
                .iter()
                .find(|(e, _)| *e == ext)
                .map(|(_, m)| *m)
                .unwrap_or("application/octet-stream");
            let mut response = tiny_http::Response::from_data(bytes);
            if let Ok(h) = tiny_http::Header::from_bytes("content-type", media) {
                response.add_header(h);
            }
            response
        }
        Err(_) => tiny_http::Response::from_string("not found").with_status_code(404),
    }
}
