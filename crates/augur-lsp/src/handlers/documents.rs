//! Document synchronisation: `didOpen`, `didChange` (every content change
//! applied to the host synchronously, before the first `.await`, one after
//! the other), `didSave`, `didClose` (its problems cleared, importers
//! re-checked from disk) and `didChangeConfiguration` (`augur.sampleDeal`).

use crate::handlers::live;
use crate::{convert, guarded, Backend};
use augur_ide::edit::ContentChange;
use augur_syntax::LineCol;
use tower_lsp::lsp_types::*;

pub(crate) async fn did_open(server: &Backend, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    let path = convert::path_of(&doc.uri);
    server
        .state()
        .host
        .open(doc.uri.clone(), path, doc.text.into(), doc.version);
    server.schedule(&doc.uri);
}

pub(crate) async fn did_change(server: &Backend, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    // Applied here, synchronously, before any `.await`.
    {
        let mut state = server.state();
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
    server.schedule(&uri);
}

pub(crate) async fn did_save(server: &Backend, _params: DidSaveTextDocumentParams) {
    // A saved file may be imported by open documents that read it from
    // the disk: check them all again.
    let open: Vec<Url> = {
        let mut state = server.state();
        state.host.disk_changed();
        state.host.keys()
    };
    for uri in open {
        server.spawn_check(uri);
    }
}

pub(crate) async fn did_change_configuration(
    server: &Backend,
    params: DidChangeConfigurationParams,
) {
    let Some(sample) = live::sample_deal(&params.settings) else {
        return;
    };
    server.state().live.sample_deal = sample;
    // No diagnostics depend on the setting (tests carry their own deals):
    // only the pins are evaluated again and shown.
    server.refresh_all_live().await;
}

pub(crate) async fn did_close(server: &Backend, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    let mut cleared = vec![uri.clone()];
    {
        let mut state = server.state();
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
        Some(path) => server.state().host.importers(&path),
        None => Vec::new(),
    };
    for other in importers {
        server.spawn_check(other);
    }
    let _turn = server.inner.publish.lock().await;
    for file in cleared {
        server
            .inner
            .client
            .publish_diagnostics(file, Vec::new(), None)
            .await;
    }
}
