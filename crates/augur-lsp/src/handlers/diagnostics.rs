//! Diagnostics: the debounced check of a document after each change, and
//! publishing its problems (and those of the files it imports that are not
//! open) in order.
//!
//! Each change schedules a check of the document and of every open
//! document whose analysis read it (`Host::importers`). A check waits for
//! the typing to pause, is dropped if a newer edit came meanwhile, and
//! publishing is serialised so an older result never lands after a newer
//! one. A fixed file gets an empty list; so does an imported file that is
//! no longer imported by any open document.

use crate::{convert, guarded, Backend};
use tower_lsp::lsp_types::Url;

impl Backend {
    /// Schedules a debounced check of `uri` and of every open document that
    /// imports it.
    pub(crate) fn schedule(&self, uri: &Url) {
        let mut targets = vec![uri.clone()];
        if let Some(path) = convert::path_of(uri) {
            targets.extend(self.state().host.importers(&path));
        }
        for target in targets {
            self.spawn_check(target);
        }
    }

    /// Spawns a debounced check of `uri` for the state as it is now.
    pub(crate) fn spawn_check(&self, uri: Url) {
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

    pub(crate) fn is_current(&self, uri: &Url, stamp: (i32, u64)) -> bool {
        self.state().host.is_current(uri, stamp)
    }
}
