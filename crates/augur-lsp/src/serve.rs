//! Serving the language server: the tower-lsp service and its `shutdown`
//! flag, the tokio runtime on stdin/stdout (through the `stdio` guard), and
//! the process exit code (0 when `shutdown` came before `exit`, else 1).
//! Not here: what any message means (`lib.rs` dispatches to `handlers/`).

use crate::{stdio, Backend, DEBOUNCE};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower_lsp::{LspService, Server};

/// The service and the flag `shutdown` sets (for the exit code).
pub fn service(
    debounce: Duration,
) -> (
    LspService<Backend>,
    tower_lsp::ClientSocket,
    Arc<AtomicBool>,
) {
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    let (service, socket) = LspService::new(move |client| Backend::new(client, flag, debounce));
    (service, socket, shutdown)
}

/// Serves LSP on stdin/stdout until `exit` (or until stdin closes).
/// Returns the process exit code: 0 when `shutdown` came before `exit`,
/// 1 otherwise.
pub fn run_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("augur lsp: cannot start: {error}");
            return 1;
        }
    };
    let code = runtime.block_on(async {
        let (service, socket, shutdown) = service(DEBOUNCE);
        let exited = Arc::new(tokio::sync::Notify::new());
        let watched = ExitWatch {
            inner: service,
            exited: exited.clone(),
        };
        // tower-lsp 0.20 stops reading after `exit` but does not return from
        // `serve`; the `exit` notification itself ends the session here.
        // A malformed message gets a parse error and the session goes on.
        let (input, output) = stdio::guard(tokio::io::stdin(), tokio::io::stdout());
        tokio::select! {
            _ = Server::new(input, output, socket).serve(watched) => {}
            _ = exited.notified() => {}
        }
        if shutdown.load(Ordering::SeqCst) {
            0
        } else {
            1
        }
    });
    // Do not wait for blocked stdin readers or pending checks.
    runtime.shutdown_background();
    code
}

/// Passes every message on (dropping a `null` params of `shutdown`/`exit`),
/// and notices `exit`.
struct ExitWatch<S> {
    inner: S,
    exited: Arc<tokio::sync::Notify>,
}

impl<S> tower::Service<tower_lsp::jsonrpc::Request> for ExitWatch<S>
where
    S: tower::Service<tower_lsp::jsonrpc::Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::result::Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: tower_lsp::jsonrpc::Request) -> S::Future {
        let is_exit = request.method() == "exit";
        // Some clients send `"params": null` with `shutdown` and `exit`,
        // which tower-lsp 0.20 rejects as unexpected params.
        let request = match (request.method(), request.params(), request.id()) {
            ("shutdown" | "exit", Some(serde_json::Value::Null), id) => {
                let builder = tower_lsp::jsonrpc::Request::build(request.method().to_string());
                match id {
                    Some(id) => builder.id(id.clone()).finish(),
                    None => builder.finish(),
                }
            }
            _ => request,
        };
        let future = self.inner.call(request);
        if is_exit {
            self.exited.notify_one();
        }
        future
    }
}
