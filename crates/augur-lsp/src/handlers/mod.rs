//! One module per LSP feature (as taplo does). Each handler takes the
//! [`Backend`](crate::Backend) and the request's parameters, gets a snapshot
//! from the host, asks `augur-ide` and converts the answer (`convert.rs`);
//! `lib.rs` only dispatches the `LanguageServer` methods here.
//!
//! - `lifecycle`: `initialize` (capabilities, position encoding), `initialized`;
//! - `documents`: open, change, save, close, configuration;
//! - `watch`: file watchers and `workspace/didChangeWatchedFiles`;
//! - `diagnostics`: debounced checks and ordered publishing;
//! - `hover`, `completion`, `navigation` (definition, references, rename),
//!   `symbols` (document and workspace symbols, folding), `tokens`,
//!   `formatting`, `actions` (quick fixes);
//! - `live`: the pinned deal (commands, inlay hints, code lenses).

pub(crate) mod actions;
pub(crate) mod completion;
pub(crate) mod diagnostics;
pub(crate) mod documents;
pub(crate) mod formatting;
pub(crate) mod hover;
pub(crate) mod lifecycle;
pub(crate) mod live;
pub(crate) mod navigation;
pub(crate) mod symbols;
pub(crate) mod tokens;
pub(crate) mod watch;
