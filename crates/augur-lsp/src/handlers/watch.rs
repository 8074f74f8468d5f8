//! Files changed on disk: the watchers the server registers (`**/*.augur`
//! playbooks and `**/*.json` deal files) and
//! `workspace/didChangeWatchedFiles`. A changed playbook re-checks the open
//! documents whose analysis read it (through closed imports too); a changed
//! deal file re-evaluates every pin. Which documents read which file is the
//! host's knowledge (`augur_ide::host::Host::importers`), not this module's.

use crate::{convert, Backend};
use tower_lsp::lsp_types::*;

pub(crate) async fn did_change_watched_files(
    server: &Backend,
    params: DidChangeWatchedFilesParams,
) {
    // A playbook changed on disk (created, changed, deleted): re-check
    // the open documents whose analysis read it, directly or through
    // closed files (which are read from disk again). A deal file (a
    // pin, or a test's `given`): evaluate and check everything again.
    let (deals, targets) = {
        let mut state = server.state();
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
        server.bump_live();
    }
    for uri in targets {
        server.spawn_check(uri);
    }
}

/// Asks the client to tell us when playbooks and deal files change on
/// disk (when it allows dynamic registration).
pub(crate) async fn register(server: &Backend) {
    if !server.state().live.support.watch_registration {
        return;
    }
    let Ok(options) = serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![
            FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.json".into()),
                kind: None,
            },
            FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.augur".into()),
                kind: None,
            },
        ],
    }) else {
        return;
    };
    let client = server.inner.client.clone();
    tokio::spawn(async move {
        let _ = client
            .register_capability(vec![Registration {
                id: "augur-watch-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: Some(options),
            }])
            .await;
    });
}
