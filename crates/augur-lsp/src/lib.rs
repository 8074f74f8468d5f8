//! The Augur language server: LSP over stdio (tower-lsp + tokio).
//!
//! This is the only crate that knows the protocol. It keeps an
//! `augur_ide::host::Host` (the open documents, their versions and
//! analyses, which files each analysis read) under a lock, runs its jobs
//! off the async threads and converts the plain-data answers of
//! `augur-ide` to LSP types; it holds no language knowledge of its own.
//! This file holds the state and the `LanguageServer` impl, which only
//! dispatches to one module per feature under `handlers/`.
//!
//! Design (see docs/lsp.md):
//! - **Edits are applied synchronously**, under a plain `std::sync::Mutex`,
//!   before a handler's first `.await`: tower-lsp runs handlers concurrently,
//!   so nothing may interleave between receiving a change and applying it.
//! - **Analysis runs on a snapshot** (the texts of the open documents, tagged
//!   with the document version and a global edit generation) in
//!   `spawn_blocking`, inside `catch_unwind`.
//! - **Diagnostics are debounced**: each edit schedules a check after a short
//!   delay; a check whose version is no longer the latest is dropped, and
//!   publishing is serialised so an older result never lands after a newer
//!   one. A fixed file gets an empty list.
//! - **Positions** are converted only through `augur_syntax::LineIndex`, in
//!   UTF-8 when the client offers it, else UTF-16.
//! - **Nothing is printed to stdout** except the protocol; logs go to stderr.
#![deny(clippy::indexing_slicing)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod convert;
mod handlers;
mod serve;
pub mod stdio;

use augur_ide::host::Host;
use augur_syntax::{ColumnUnit, FileId};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

pub use convert::{analyze_snapshot, Snap};
pub use handlers::live::COMMANDS;
pub use serve::{run_stdio, service};

/// How long diagnostics wait for the typing to pause.
pub const DEBOUNCE: Duration = Duration::from_millis(75);

#[derive(Debug)]
struct State {
    unit: ColumnUnit,
    /// The open documents and their analyses.
    host: Host<Url>,
    /// The newest version whose diagnostics were published, per document.
    published: HashMap<Url, (i32, u64)>,
    /// Imported files (not open) each document published diagnostics for.
    foreign: HashMap<Url, Vec<Url>>,
    /// Pinned deals (see `live.rs`).
    live: handlers::live::Pins,
}

struct Inner {
    client: Client,
    state: Mutex<State>,
    /// Serialises publishing, so results cannot overtake each other.
    publish: tokio::sync::Mutex<()>,
    shutdown: Arc<AtomicBool>,
    debounce: Duration,
}

/// The language server. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Backend {
    inner: Arc<Inner>,
}

fn internal(what: &str) -> Error {
    Error {
        code: ErrorCode::InternalError,
        message: format!(
            "augur: internal error while answering {what}; the server goes on (see its log)"
        )
        .into(),
        data: None,
    }
}

/// Runs `f`, turning a panic into an error response and a log line.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        eprintln!("augur lsp: panic while answering {what}");
        internal(what)
    })
}

impl Backend {
    pub fn new(client: Client, shutdown: Arc<AtomicBool>, debounce: Duration) -> Backend {
        Backend {
            inner: Arc::new(Inner {
                client,
                state: Mutex::new(State {
                    unit: ColumnUnit::Utf16,
                    host: Host::new(),
                    published: HashMap::new(),
                    foreign: HashMap::new(),
                    live: handlers::live::Pins::default(),
                }),
                publish: tokio::sync::Mutex::new(()),
                shutdown,
                debounce,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic never happens while the lock is held (only plain data
        // operations run under it); recover the data if it ever does.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current analysis of `uri`, computed now if the stored one is out
    /// of date. `None` if the document is not open.
    async fn snapshot(&self, uri: &Url) -> Option<Arc<Snap>> {
        let (job, unit) = {
            let state = self.state();
            let unit = state.unit;
            match state.host.snapshot_or_job(uri)? {
                Ok(snapshot) => return Some(Arc::new(Snap::new(uri, snapshot, unit))),
                Err(job) => (job, unit),
            }
        };
        let snapshot = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| job.run()))
        })
        .await
        .ok()?;
        let snapshot = match snapshot {
            Ok(snapshot) => Arc::new(snapshot),
            Err(_) => {
                eprintln!("augur lsp: panic while checking {uri}");
                return None;
            }
        };
        self.state().host.store(uri, snapshot.clone());
        Some(Arc::new(Snap::new(uri, snapshot, unit)))
    }

    /// The snapshot and byte offset for a request at `position`.
    async fn at(&self, params: &TextDocumentPositionParams) -> Option<(Arc<Snap>, usize)> {
        let snap = self.snapshot(&params.text_document.uri).await?;
        let offset = snap.offset(FileId::ROOT, params.position);
        Some((snap, offset))
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        handlers::lifecycle::initialize(self, params).await
    }

    async fn initialized(&self, params: InitializedParams) {
        handlers::lifecycle::initialized(self, params).await
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        handlers::documents::did_open(self, params).await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        handlers::documents::did_change(self, params).await
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        handlers::documents::did_save(self, params).await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        handlers::watch::did_change_watched_files(self, params).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        handlers::documents::did_change_configuration(self, params).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.inlay_hints_for(params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.code_lenses_for(params).await
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        self.execute(params).await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::documents::did_close(self, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        handlers::hover::hover(self, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        handlers::completion::completion(self, params).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        handlers::navigation::goto_definition(self, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        handlers::navigation::references(self, params).await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        handlers::navigation::prepare_rename(self, params).await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        handlers::navigation::rename(self, params).await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        handlers::symbols::document_symbol(self, params).await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<Vec<SymbolInformation>>> {
        handlers::symbols::symbol(self, params).await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        handlers::symbols::folding_range(self, params).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        handlers::tokens::semantic_tokens_full(self, params).await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        handlers::formatting::formatting(self, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        handlers::actions::code_action(self, params).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let answer: Result<u32> = guarded("test", || panic!("boom"));
        let error = answer.unwrap_err();
        assert_eq!(error.code, ErrorCode::InternalError);
        assert_eq!(guarded("test", || 7).unwrap(), 7);
    }
}
