//! The Augur language server: LSP over stdio (tower-lsp + tokio).
//!
//! This is the only crate that knows the protocol. It keeps an
//! `augur_ide::host::Host` (the open documents, their versions and
//! analyses, which files each analysis read) under a lock, runs its jobs
//! off the async threads and converts the plain-data answers of
//! `augur-ide` to LSP types; it holds no language knowledge of its own.
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
mod live;
pub mod stdio;

use augur_ide::edit::ContentChange;
use augur_ide::host::Host;
use augur_syntax::{ColumnUnit, FileId, LineCol};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tower_lsp::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer, LspService, Server};

pub use convert::{analyze_snapshot, Snap};
pub use live::COMMANDS;

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
    live: live::Pins,
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
                    live: live::Pins::default(),
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

    /// Schedules a debounced check of `uri` and of every open document that
    /// imports it.
    fn schedule(&self, uri: &Url) {
        let mut targets = vec![uri.clone()];
        if let Some(path) = convert::path_of(uri) {
            targets.extend(self.state().host.importers(&path));
        }
        for target in targets {
            self.spawn_check(target);
        }
    }

    /// Spawns a debounced check of `uri` for the state as it is now.
    fn spawn_check(&self, uri: Url) {
        let Some(started) = self.state().host.stamp(&uri) else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move { this.check_later(uri, started).await });
    }

    async fn check_later(&self, uri: Url, started: (i32, u64)) {
        tokio::time::sleep(self.inner.debounce).await;
        if !self.is_current(&uri, started) {
            return; // a newer edit scheduled its own check
        }
        let Some(snap) = self.snapshot(&uri).await else {
            return;
        };
        let mut diagnostics = match guarded("diagnostics", || snap.lsp_diagnostics()) {
            Ok(d) => d,
            Err(_) => return,
        };
        diagnostics.extend(self.test_diagnostics(&uri, &snap).await);
        let _turn = self.inner.publish.lock().await;
        let foreign;
        {
            let mut state = self.state();
            let current = state.host.is_current(&uri, (snap.version, snap.generation));
            let older = state
                .published
                .get(&uri)
                .is_some_and(|p| *p >= (snap.version, snap.generation));
            if !current || older {
                return;
            }
            state
                .published
                .insert(uri.clone(), (snap.version, snap.generation));
            // Problems in imported files that are not open are shown on
            // those files (the CLI reports them too); files no longer
            // affected are cleared.
            let mut imported =
                guarded("diagnostics", || snap.imported_diagnostics()).unwrap_or_default();
            imported.retain(|(file, _)| !state.host.is_open(file));
            let now: Vec<Url> = imported.iter().map(|(file, _)| file.clone()).collect();
            let before = state
                .foreign
                .insert(uri.clone(), now.clone())
                .unwrap_or_default();
            for stale in before {
                let elsewhere = state.foreign.values().any(|files| files.contains(&stale));
                if !now.contains(&stale) && !elsewhere && !state.host.is_open(&stale) {
                    imported.push((stale, Vec::new()));
                }
            }
            foreign = imported;
        }
        self.inner
            .client
            .publish_diagnostics(uri.clone(), diagnostics, Some(snap.version))
            .await;
        for (file, diagnostics) in foreign {
            self.inner
                .client
                .publish_diagnostics(file, diagnostics, None)
                .await;
        }
        self.refresh_live(Some((&uri, &snap))).await;
    }

    fn is_current(&self, uri: &Url, stamp: (i32, u64)) -> bool {
        self.state().host.is_current(uri, stamp)
    }

    /// The snapshot and byte offset for a request at `position`.
    async fn at(&self, params: &TextDocumentPositionParams) -> Option<(Arc<Snap>, usize)> {
        let snap = self.snapshot(&params.text_document.uri).await?;
        let offset = snap.offset(FileId::ROOT, params.position);
        Some((snap, offset))
    }
}

fn position_encoding(params: &InitializeParams) -> ColumnUnit {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => ColumnUnit::Utf8,
        _ => ColumnUnit::Utf16,
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let unit = position_encoding(&params);
        {
            let mut state = self.state();
            state.unit = unit;
            state.live.support = live::client_support(&params);
            if let Some(sample) = params
                .initialization_options
                .as_ref()
                .and_then(live::sample_deal)
            {
                state.live.sample_deal = sample;
            }
        }
        let encoding = match unit {
            ColumnUnit::Utf8 => PositionEncodingKind::UTF8,
            _ => PositionEncodingKind::UTF16,
        };
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "augur".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), "(".into(), "[".into()]),
                    ..Default::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: convert::legend(),
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            ..Default::default()
                        },
                    ),
                ),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: COMMANDS.iter().map(|c| c.to_string()).collect(),
                    ..Default::default()
                }),
                ..Default::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.inner
            .client
            .log_message(MessageType::INFO, "augur language server ready")
            .await;
        self.watch_deal_files().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let path = convert::path_of(&doc.uri);
        self.state()
            .host
            .open(doc.uri.clone(), path, doc.text.into(), doc.version);
        self.schedule(&doc.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        // Applied here, synchronously, before any `.await`.
        {
            let mut state = self.state();
            let unit = state.unit;
            let version = params.text_document.version;
            let changes = params.content_changes.iter().map(|change| ContentChange {
                range: change.range.map(|r| {
                    (
                        LineCol {
                            line: r.start.line,
                            column: r.start.character,
                        },
                        LineCol {
                            line: r.end.line,
                            column: r.end.character,
                        },
                    )
                }),
                text: &change.text,
            });
            let host = &mut state.host;
            match guarded("didChange", || host.change(&uri, version, changes, unit)) {
                Ok(true) => {}
                Ok(false) => return,
                Err(_) => return,
            }
        }
        self.schedule(&uri);
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        // A saved file may be imported by open documents that read it from
        // the disk: check them all again.
        let open: Vec<Url> = {
            let mut state = self.state();
            state.host.disk_changed();
            state.host.keys()
        };
        for uri in open {
            self.spawn_check(uri);
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        // A playbook changed on disk (created, changed, deleted): re-check
        // the open documents whose analysis read it, directly or through
        // closed files (which are read from disk again). A deal file (a
        // pin, or a test's `given`): evaluate and check everything again.
        let (deals, targets) = {
            let mut state = self.state();
            state.host.disk_changed();
            let open: Vec<Url> = state.host.keys();
            let mut deals = false;
            let mut targets: Vec<Url> = Vec::new();
            for change in &params.changes {
                let path = convert::path_of(&change.uri);
                match path {
                    Some(path) if path.extension().is_some_and(|e| e == "augur") => {
                        // An open document's text wins over the disk.
                        if !open.contains(&change.uri) {
                            targets.extend(state.host.importers(&path));
                        }
                    }
                    _ => deals = true,
                }
            }
            if deals {
                targets = open;
            }
            targets.sort();
            targets.dedup();
            (deals, targets)
        };
        if deals {
            self.bump_live();
        }
        for uri in targets {
            self.spawn_check(uri);
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let Some(sample) = live::sample_deal(&params.settings) else {
            return;
        };
        self.state().live.sample_deal = sample;
        self.bump_live();
        let open: Vec<Url> = self.state().host.keys();
        for uri in open {
            self.spawn_check(uri);
        }
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
        let uri = params.text_document.uri;
        let mut cleared = vec![uri.clone()];
        {
            let mut state = self.state();
            state.host.close(&uri);
            state.published.remove(&uri);
            // The pin stays (for when the file is opened again); its
            // evaluation does not.
            state.live.cache.remove(&uri);
            // Problems it showed on imported files go, unless another
            // open document shows them too.
            let shown = state.foreign.remove(&uri).unwrap_or_default();
            for file in shown {
                if !state.foreign.values().any(|files| files.contains(&file)) {
                    cleared.push(file);
                }
            }
        }
        // Files that import it fall back to the disk.
        let importers: Vec<Url> = match convert::path_of(&uri) {
            Some(path) => self.state().host.importers(&path),
            None => Vec::new(),
        };
        for other in importers {
            self.spawn_check(other);
        }
        let _turn = self.inner.publish.lock().await;
        for file in cleared {
            self.inner
                .client
                .publish_diagnostics(file, Vec::new(), None)
                .await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let Some((snap, offset)) = self.at(&params.text_document_position_params).await else {
            return Ok(None);
        };
        let pinned = self
            .hover_live(
                &params.text_document_position_params.text_document.uri,
                &snap,
                offset,
            )
            .await;
        guarded("hover", || {
            augur_ide::hover(&snap.analysis, FileId::ROOT, offset).map(|h| Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: match pinned {
                        Some(more) => format!("{}\n---\n{more}", h.markdown),
                        None => h.markdown,
                    },
                }),
                range: Some(snap.range(FileId::ROOT, h.span)),
            })
        })
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let Some((snap, offset)) = self.at(&params.text_document_position).await else {
            return Ok(None);
        };
        guarded("completion", || {
            let items = augur_ide::completions(&snap.analysis, FileId::ROOT, offset);
            Some(CompletionResponse::Array(
                items.into_iter().map(|i| snap.completion_item(i)).collect(),
            ))
        })
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let Some((snap, offset)) = self.at(&params.text_document_position_params).await else {
            return Ok(None);
        };
        guarded("definition", || {
            augur_ide::definition(&snap.analysis, FileId::ROOT, offset)
                .and_then(|at| snap.location(at))
                .map(GotoDefinitionResponse::Scalar)
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let Some((snap, offset)) = self.at(&params.text_document_position).await else {
            return Ok(None);
        };
        guarded("references", || {
            let found = augur_ide::references(
                &snap.analysis,
                FileId::ROOT,
                offset,
                params.context.include_declaration,
            );
            Some(
                found
                    .into_iter()
                    .filter_map(|at| snap.location(at))
                    .collect(),
            )
        })
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let Some((snap, offset)) = self.at(&params).await else {
            return Ok(None);
        };
        match guarded("prepareRename", || {
            augur_ide::prepare_rename(&snap.analysis, FileId::ROOT, offset)
        })? {
            Ok(span) => Ok(Some(PrepareRenameResponse::Range(
                snap.range(FileId::ROOT, span),
            ))),
            Err(_) => Ok(None),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let Some((snap, offset)) = self.at(&params.text_document_position).await else {
            return Ok(None);
        };
        let edits = guarded("rename", || {
            augur_ide::rename(&snap.analysis, FileId::ROOT, offset, &params.new_name)
        })?;
        match edits {
            Ok(edits) => Ok(Some(snap.workspace_edit(&edits))),
            Err(message) => Err(Error {
                code: ErrorCode::InvalidParams,
                message: message.into(),
                data: None,
            }),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        guarded("documentSymbol", || {
            let symbols = augur_ide::document_symbols(&snap.analysis, FileId::ROOT);
            Some(DocumentSymbolResponse::Nested(
                symbols
                    .into_iter()
                    .map(|s| snap.document_symbol(FileId::ROOT, s))
                    .collect(),
            ))
        })
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<Vec<SymbolInformation>>> {
        let uris: Vec<Url> = self.state().host.keys();
        let mut found: Vec<SymbolInformation> = Vec::new();
        for uri in uris {
            let Some(snap) = self.snapshot(&uri).await else {
                continue;
            };
            let mut more = guarded("workspace/symbol", || snap.workspace_symbols(&params.query))?;
            found.append(&mut more);
        }
        found.sort_by(|a, b| {
            (a.location.uri.as_str(), a.location.range.start, &a.name).cmp(&(
                b.location.uri.as_str(),
                b.location.range.start,
                &b.name,
            ))
        });
        found.dedup_by(|a, b| a.location == b.location && a.name == b.name);
        Ok(Some(found))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        guarded("foldingRange", || Some(snap.folding_ranges()))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        guarded("semanticTokens", || {
            Some(SemanticTokensResult::Tokens(snap.semantic_tokens()))
        })
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let text = {
            let state = self.state();
            let Some(doc) = state.host.doc(&params.text_document.uri) else {
                return Ok(None);
            };
            doc.text.clone()
        };
        let formatted = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                augur_ide::format(&text).map(|new| convert::whole_range(&text, new))
            }))
        })
        .await
        .map_err(|_| internal("formatting"))?
        .map_err(|_| internal("formatting"))?;
        let unit = self.state().unit;
        Ok(formatted.map(|edit| vec![edit(unit)]))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri).await else {
            return Ok(None);
        };
        guarded("codeAction", || {
            let range = snap.span(FileId::ROOT, params.range);
            let actions = augur_ide::code_actions(&snap.analysis, FileId::ROOT, range);
            Some(
                actions
                    .into_iter()
                    .map(|a| CodeActionOrCommand::CodeAction(snap.code_action(a)))
                    .collect(),
            )
        })
    }
}

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
