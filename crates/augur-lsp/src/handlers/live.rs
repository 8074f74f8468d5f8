//! The pinned deal over the protocol: `workspace/executeCommand`
//! (`augur.pinTest`, `augur.pinDeal`, `augur.unpin`, `augur.runTest`,
//! `augur.runAllTests`, `augur.pinStatus`), `textDocument/inlayHint`,
//! `textDocument/codeLens`, the `augur.sampleDeal` setting, and the refresh
//! requests that make editors ask again. (A changed deal file on disk
//! reaches here through `watch.rs`, which bumps the live epoch.)
//!
//! Only dispatch and conversion live here: what a hint, lens or test
//! failure says comes from `augur_ide::live`. The pin of each playbook is
//! kept in the server's state (it survives edits); its evaluation is cached
//! per snapshot and "live epoch" (bumped by pins, settings and changed
//! files on disk), and computed in `spawn_blocking` like every analysis.

use crate::{guarded, Backend, Snap};
use augur_check::{FsLoader, Loader, MemoryLoader};
use augur_ide::live::{self, LensAction, Live, Pin};
use augur_syntax::{Date, FileId};
use serde_json::{json, Value};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp::lsp_types::*;

/// The commands the server executes (advertised at `initialize`).
pub const COMMANDS: &[&str] = &[
    "augur.pinTest",
    "augur.pinDeal",
    "augur.unpin",
    "augur.runTest",
    "augur.runAllTests",
    "augur.pinStatus",
];

/// What the client told us at `initialize` that matters here.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ClientSupport {
    pub inlay_refresh: bool,
    pub lens_refresh: bool,
    /// The client shows the pin itself (the VS Code status bar item), so no
    /// pin lens at the top of the file.
    pub pin_status_bar: bool,
    pub watch_registration: bool,
}

/// The pin state of the server.
#[derive(Debug, Default)]
pub(crate) struct Pins {
    pub support: ClientSupport,
    /// The pin of each playbook.
    pub pins: std::collections::HashMap<Url, Pin>,
    /// `augur.sampleDeal`: the deal shown for a playbook with no pin.
    pub sample_deal: Option<String>,
    /// Bumped whenever what a pin evaluates to may have changed without an
    /// edit: a pin, the setting, a file on disk.
    pub epoch: u64,
    /// The last evaluation of each playbook's pin, with its key
    /// (document version, generation, epoch).
    pub cache: std::collections::HashMap<Url, (LiveKey, Arc<Live>)>,
}

/// What an evaluation of a pin was computed from: (document version, edit
/// generation, live epoch).
pub(crate) type LiveKey = (i32, u64, u64);

pub(crate) fn client_support(params: &InitializeParams) -> ClientSupport {
    let workspace = params.capabilities.workspace.as_ref();
    let options = params.initialization_options.as_ref();
    ClientSupport {
        inlay_refresh: workspace
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
        lens_refresh: workspace
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false),
        pin_status_bar: options
            .and_then(|o| o.get("pinStatusBar"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        watch_registration: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
    }
}

/// `augur.sampleDeal` from initializationOptions or settings, which may
/// hold it at the top level or under `augur`.
pub(crate) fn sample_deal(settings: &Value) -> Option<Option<String>> {
    let value = settings
        .get("augur")
        .and_then(|a| a.get("sampleDeal"))
        .or_else(|| settings.get("sampleDeal"))
        .or_else(|| settings.get("augur.sampleDeal"))?;
    Some(
        value
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from),
    )
}

fn system_today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days((seconds / 86_400) as i32)
}

/// The playbook's folder (the root of its `given` and deal paths).
fn root_of(uri: &Url) -> Option<PathBuf> {
    Some(uri.to_file_path().ok()?.parent()?.to_path_buf())
}

/// Reads deal files of the playbook at `uri`, confined to its folder.
fn files_of(uri: &Url) -> Box<dyn Loader + Send> {
    match root_of(uri) {
        Some(root) => Box::new(FsLoader::new(root)),
        None => Box::new(MemoryLoader::new(Vec::<(String, String)>::new())),
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: message.into().into(),
        data: None,
    }
}

/// The `{uri, …}` argument of a command.
fn argument(params: &ExecuteCommandParams) -> Result<(Url, Value)> {
    let arg = params
        .arguments
        .first()
        .cloned()
        .ok_or_else(|| invalid(format!("{} needs an argument {{uri, …}}", params.command)))?;
    let uri = arg
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|u| Url::parse(u).ok())
        .ok_or_else(|| invalid(format!("{}: `uri` is missing or not a URI", params.command)))?;
    Ok((uri, arg))
}

fn text_arg(arg: &Value, name: &str, command: &str) -> Result<String> {
    arg.get(name)
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| invalid(format!("{command}: `{name}` is missing")))
}

impl Backend {
    /// The pin of `uri`: its own, else the `augur.sampleDeal` setting.
    fn pin_of(&self, uri: &Url) -> Option<Pin> {
        let state = self.state();
        if let Some(pin) = state.live.pins.get(uri) {
            return Some(pin.clone());
        }
        let sample = state.live.sample_deal.clone()?;
        let root = root_of(uri)?;
        // A setting outside the folder is shown as the pin's error.
        Some(Pin::Deal(
            live::pin_path(&root, &sample).unwrap_or_else(|_| sample.clone()),
        ))
    }

    /// The pinned deal of `uri` evaluated on `snap` (cached).
    pub(crate) async fn live(&self, uri: &Url, snap: &Arc<Snap>) -> Option<Arc<Live>> {
        let pin = self.pin_of(uri)?;
        let key = {
            let state = self.state();
            (snap.version, snap.generation, state.live.epoch)
        };
        if let Some((cached_key, live)) = self.state().live.cache.get(uri) {
            if *cached_key == key && live.pin == pin {
                return Some(live.clone());
            }
        }
        let (snap_owned, uri_owned) = (snap.clone(), uri.clone());
        let live = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                let files = files_of(&uri_owned);
                live::evaluate_pin(&snap_owned.analysis, files.as_ref(), &pin, system_today())
            }))
        })
        .await
        .ok()?
        .map_err(|_| eprintln!("augur lsp: panic while evaluating the pinned deal of {uri}"))
        .ok()?;
        let live = Arc::new(live);
        let mut state = self.state();
        let newer = state.live.cache.get(uri).is_some_and(|(k, _)| *k > key);
        if !newer {
            state.live.cache.insert(uri.clone(), (key, live.clone()));
        }
        Some(live)
    }

    /// `augur::test-failed` diagnostics of the snapshot's root file.
    pub(crate) async fn test_diagnostics(&self, uri: &Url, snap: &Arc<Snap>) -> Vec<Diagnostic> {
        let (snap, uri) = (snap.clone(), uri.clone());
        tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                let files = files_of(&uri);
                live::test_diagnostics(&snap.analysis, files.as_ref(), None, system_today())
                    .iter()
                    .filter(|d| d.file == FileId::ROOT)
                    .map(|d| snap.diagnostic(d))
                    .collect()
            }))
            .unwrap_or_default()
        })
        .await
        .unwrap_or_default()
    }

    /// Tells the client the pin's status and asks it to request inlay hints
    /// and code lenses again (when it said it can). Never waits for the
    /// client's answer.
    pub(crate) async fn refresh_live(&self, uri: Option<(&Url, &Arc<Snap>)>) {
        if let Some((uri, snap)) = uri {
            self.send_pin_status(uri, snap).await;
        }
        self.ask_refresh();
    }

    /// `augur/pinStatus` for `uri`: its pin's name and status, or
    /// `name: null` when nothing is pinned (so a status bar clears its
    /// entry, whoever unpinned).
    async fn send_pin_status(&self, uri: &Url, snap: &Arc<Snap>) {
        let params = match self.live(uri, snap).await {
            Some(live) => json!({
                "uri": uri,
                "name": live.pin.name(),
                "status": live::status(&snap.analysis, &live),
            }),
            None => json!({ "uri": uri, "name": null, "status": null }),
        };
        self.inner
            .client
            .send_notification::<PinStatus>(params)
            .await;
    }

    /// Asks the client for inlay hints and code lenses again, each request
    /// in its own task: a client may never answer.
    fn ask_refresh(&self) {
        let support = self.state().live.support;
        if support.inlay_refresh {
            let client = self.inner.client.clone();
            tokio::spawn(async move { client.inlay_hint_refresh().await });
        }
        if support.lens_refresh {
            let client = self.inner.client.clone();
            tokio::spawn(async move { client.code_lens_refresh().await });
        }
    }

    /// What every open playbook's pin shows may have changed without an
    /// edit (the `augur.sampleDeal` setting): evaluate again and tell the
    /// client, for each open playbook.
    pub(crate) async fn refresh_all_live(&self) {
        self.bump_live();
        let open: Vec<Url> = self.state().host.keys();
        for uri in open {
            if let Some(snap) = self.snapshot(&uri).await {
                self.send_pin_status(&uri, &snap).await;
            }
        }
        self.ask_refresh();
    }

    /// Something on disk or in the settings changed: evaluate again.
    pub(crate) fn bump_live(&self) {
        let mut state = self.state();
        state.live.epoch += 1;
        state.live.cache.clear();
    }

    pub(crate) async fn inlay_hints_for(
        &self,
        params: InlayHintParams,
    ) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(None);
        };
        let Some(live) = self.live(&uri, &snap).await else {
            return Ok(Some(Vec::new()));
        };
        guarded("inlayHint", || {
            let Ok(evaluated) = &live.result else {
                return Some(Vec::new());
            };
            let range = snap.span(FileId::ROOT, params.range);
            Some(
                live::inlay_hints(&snap.analysis, FileId::ROOT, evaluated)
                    .into_iter()
                    .filter(|h| range.start <= h.offset && h.offset <= range.end)
                    .map(|h| InlayHint {
                        position: snap.position(FileId::ROOT, h.offset),
                        label: InlayHintLabel::String(h.label),
                        kind: None,
                        text_edits: None,
                        tooltip: h.tooltip.map(InlayHintTooltip::String),
                        padding_left: Some(true),
                        padding_right: Some(false),
                        data: None,
                    })
                    .collect(),
            )
        })
    }

    pub(crate) async fn code_lenses_for(
        &self,
        params: CodeLensParams,
    ) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri).await else {
            return Ok(None);
        };
        let live = self.live(&uri, &snap).await;
        let pin_lens = !self.state().live.support.pin_status_bar;
        guarded("codeLens", || {
            let lenses = live::code_lenses(&snap.analysis, FileId::ROOT, live.as_deref(), pin_lens);
            Some(
                lenses
                    .into_iter()
                    .map(|lens| {
                        let at = snap.position(FileId::ROOT, lens.offset);
                        let (command, arguments) = match lens.action {
                            LensAction::PinTest(test) => {
                                ("augur.pinTest", vec![json!({ "uri": uri, "test": test })])
                            }
                            LensAction::RunTest(test) => {
                                ("augur.runTest", vec![json!({ "uri": uri, "test": test })])
                            }
                            LensAction::RunAllTests => {
                                ("augur.runAllTests", vec![json!({ "uri": uri })])
                            }
                            LensAction::Unpin => ("augur.unpin", vec![json!({ "uri": uri })]),
                            // Display only. A resolved lens needs a
                            // command (no command means "unresolved", and
                            // we have no codeLens/resolve), and an empty
                            // one makes Neovim warn "does not support
                            // command" when run: the read-only status
                            // query is harmless in every client.
                            LensAction::Show => ("augur.pinStatus", vec![json!({ "uri": uri })]),
                        };
                        CodeLens {
                            range: Range::new(Position::new(at.line, 0), Position::new(at.line, 0)),
                            command: Some(Command {
                                title: lens.title,
                                command: command.into(),
                                arguments: (!arguments.is_empty()).then_some(arguments),
                            }),
                            data: None,
                        }
                    })
                    .collect(),
            )
        })
    }

    /// The pinned deal's additions to a hover at `offset`.
    pub(crate) async fn hover_live(
        &self,
        uri: &Url,
        snap: &Arc<Snap>,
        offset: usize,
    ) -> Option<String> {
        let live = self.live(uri, snap).await?;
        guarded("hover", || {
            live::hover_at(&snap.analysis, FileId::ROOT, offset, &live)
        })
        .ok()
        .flatten()
    }

    pub(crate) async fn execute(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        let command = params.command.clone();
        let (uri, arg) = argument(&params)?;
        match command.as_str() {
            "augur.pinTest" => {
                let test = text_arg(&arg, "test", &command)?;
                self.set_pin(&uri, Some(Pin::Test(test))).await
            }
            "augur.pinDeal" => {
                let path = text_arg(&arg, "path", &command)?;
                let root = root_of(&uri).ok_or_else(|| {
                    invalid("augur.pinDeal: only a playbook saved in a folder can pin a deal file")
                })?;
                let relative = live::pin_path(&root, &path).map_err(invalid)?;
                // Refused up front, like the path itself: a file that does
                // not exist, cannot be read, or is a symbolic link out of
                // the folder. (One that is not a valid deal is pinned and
                // shows why: the author is likely fixing it.)
                let (uri_owned, checked) = (uri.clone(), relative.clone());
                tokio::task::spawn_blocking(move || files_of(&uri_owned).load(&checked))
                    .await
                    .map_err(|_| crate::internal("augur.pinDeal"))?
                    .map_err(|e| invalid(format!("augur.pinDeal: {e}")))?;
                self.set_pin(&uri, Some(Pin::Deal(relative))).await
            }
            "augur.unpin" => self.set_pin(&uri, None).await,
            "augur.pinStatus" => {
                let Some(snap) = self.snapshot(&uri).await else {
                    return Ok(Some(Value::Null));
                };
                Ok(Some(self.status_json(&uri, &snap).await))
            }
            "augur.runTest" | "augur.runAllTests" => {
                let only = if command == "augur.runTest" {
                    Some(text_arg(&arg, "test", &command)?)
                } else {
                    None
                };
                self.run_tests(&uri, only).await
            }
            other => Err(invalid(format!("unknown command `{other}`"))),
        }
    }

    async fn status_json(&self, uri: &Url, snap: &Arc<Snap>) -> Value {
        match self.live(uri, snap).await {
            Some(live) => json!({
                "uri": uri,
                "name": live.pin.name(),
                "status": live::status(&snap.analysis, &live),
                "ok": live.result.is_ok(),
            }),
            None => Value::Null,
        }
    }

    async fn set_pin(&self, uri: &Url, pin: Option<Pin>) -> Result<Option<Value>> {
        {
            let mut state = self.state();
            match pin {
                Some(pin) => state.live.pins.insert(uri.clone(), pin),
                None => state.live.pins.remove(uri),
            };
            state.live.epoch += 1;
        }
        let snap = self.snapshot(uri).await;
        let status = match &snap {
            Some(snap) => self.status_json(uri, snap).await,
            None => Value::Null,
        };
        self.refresh_live(snap.as_ref().map(|s| (uri, s))).await;
        Ok(Some(status))
    }

    /// Runs the tests (or one) and answers with their results; failures are
    /// published as diagnostics by the check this schedules. The run read
    /// the files again, so the check must too: the edit generation is
    /// bumped (a `given` file may have changed on disk without a watcher
    /// notification), else the check would see nothing new and publish
    /// nothing.
    async fn run_tests(&self, uri: &Url, only: Option<String>) -> Result<Option<Value>> {
        let Some(snap) = self.snapshot(uri).await else {
            return Err(invalid("the playbook is not open"));
        };
        let (snap_owned, uri_owned) = (snap.clone(), uri.clone());
        let results = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                let files = files_of(&uri_owned);
                live::run_tests(
                    &snap_owned.analysis,
                    files.as_ref(),
                    only.as_deref(),
                    system_today(),
                )
            }))
        })
        .await
        .map_err(|_| crate::internal("runTest"))?
        .map_err(|_| crate::internal("runTest"))?
        .map_err(invalid)?;
        let passed = results.iter().filter(|r| r.passed()).count();
        let summary = live::run_summary(&results);
        let kind = if passed == results.len() {
            MessageType::INFO
        } else {
            MessageType::WARNING
        };
        self.inner.client.show_message(kind, &summary).await;
        self.state().host.disk_changed();
        self.spawn_check(uri.clone());
        let tests: Vec<Value> = results
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "passed": r.passed(),
                    "error": r.error,
                    "failures": r.failures.iter().map(|f| json!({
                        "expect": f.expect,
                        "line": f.line,
                        "reason": f.reason,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(Some(
            json!({ "passed": passed, "total": results.len(), "summary": summary, "tests": tests }),
        ))
    }
}

/// `augur/pinStatus` (server → client): the pinned deal of a playbook and
/// its result in one line (`name: null` when nothing is pinned), after
/// every check, pin, unpin and `augur.sampleDeal` change; for a status bar.
pub enum PinStatus {}

impl notification::Notification for PinStatus {
    type Params = Value;
    const METHOD: &'static str = "augur/pinStatus";
}
