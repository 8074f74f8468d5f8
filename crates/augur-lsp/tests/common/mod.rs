//! The one harness of the language server's in-process tests: the server
//! as a tower `Service` (tower-lsp's `LspService`), requests and
//! notifications in, every server → client message collected, and helpers
//! for positions, temporary folders and file URIs. Used by `server.rs` and
//! `live.rs` (`mod common;`); not a test of its own.
#![allow(dead_code)]

use futures::StreamExt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tower::{Service, ServiceExt};
use tower_lsp::jsonrpc::Request;
use tower_lsp::LspService;

pub struct Harness {
    pub service: LspService<augur_lsp::Backend>,
    pub messages: tokio::sync::mpsc::UnboundedReceiver<Request>,
    pub next_id: i64,
}

impl Harness {
    pub async fn start(capabilities: Value) -> (Harness, Value) {
        let (service, socket, _) = augur_lsp::service(Duration::from_millis(20));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut socket = socket;
            while let Some(message) = socket.next().await {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut harness = Harness {
            service,
            messages: rx,
            next_id: 1,
        };
        let init = harness
            .request("initialize", json!({ "capabilities": capabilities }))
            .await
            .unwrap();
        harness.notify("initialized", json!({})).await;
        (harness, init)
    }

    pub fn build(&mut self, method: &'static str, params: Value) -> Request {
        self.next_id += 1;
        let builder = Request::build(method).id(self.next_id);
        if params.is_null() {
            builder.finish()
        } else {
            builder.params(params).finish()
        }
    }

    pub async fn request(
        &mut self,
        method: &'static str,
        params: Value,
    ) -> Result<Value, tower_lsp::jsonrpc::Error> {
        let request = self.build(method, params);
        let response = self
            .service
            .ready()
            .await
            .unwrap()
            .call(request)
            .await
            .unwrap()
            .unwrap();
        response.into_parts().1
    }

    pub async fn notify(&mut self, method: &'static str, params: Value) {
        let request = Request::build(method).params(params).finish();
        let response = self
            .service
            .ready()
            .await
            .unwrap()
            .call(request)
            .await
            .unwrap();
        assert!(response.is_none());
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "augur", "version": 1, "text": text } }),
        )
        .await;
    }

    pub async fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        )
        .await;
    }

    /// Waits for diagnostics of `uri`; the next ones published with
    /// `version` when given.
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let message = tokio::time::timeout_at(deadline, self.messages.recv())
                .await
                .expect("diagnostics in time")
                .expect("socket open");
            if message.method() != "textDocument/publishDiagnostics" {
                continue;
            }
            let params = message.params().cloned().unwrap();
            if params["uri"] != uri {
                continue;
            }
            if version.is_some_and(|v| params["version"] != v) {
                continue;
            }
            return params["diagnostics"].as_array().cloned().unwrap();
        }
    }
}

impl Harness {
    /// Waits for a server → client message with this method.
    pub async fn message(&mut self, method: &str) -> Request {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let message = tokio::time::timeout_at(deadline, self.messages.recv())
                .await
                .unwrap_or_else(|_| panic!("no {method} in time"))
                .expect("socket open");
            if message.method() == method {
                return message;
            }
        }
    }

    pub async fn command(
        &mut self,
        command: &str,
        argument: Value,
    ) -> Result<Value, tower_lsp::jsonrpc::Error> {
        self.request(
            "workspace/executeCommand",
            json!({ "command": command, "arguments": [argument] }),
        )
        .await
    }

    pub async fn hints(&mut self, uri: &str) -> Vec<Value> {
        self.request(
            "textDocument/inlayHint",
            json!({
                "textDocument": { "uri": uri },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1000, "character": 0 } }
            }),
        )
        .await
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    pub async fn lenses(&mut self, uri: &str) -> Vec<Value> {
        self.request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
    }
}

/// The LSP position at the end of `before` (the text before it), in
/// `unit` ("utf-16" or "utf-8").
pub fn position(before: &str, unit: &str) -> Value {
    let line = before.matches('\n').count();
    let line_text = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let column = match unit {
        "utf-8" => line_text.len(),
        _ => line_text.encode_utf16().count(),
    };
    json!({ "line": line, "character": column })
}

pub fn position_params(uri: &str, position: &Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

/// A fresh temporary folder for one test.
pub fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("augur-lsp-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn uri_of(path: &Path) -> String {
    tower_lsp::lsp_types::Url::from_file_path(path)
        .unwrap()
        .to_string()
}
