//! `textDocument/codeAction`: the checker's own suggestions for the
//! diagnostics in the requested range, as quick fixes (`augur_ide::code_actions`).

use crate::{guarded, Backend};
use augur_syntax::FileId;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

pub(crate) async fn code_action(
    server: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let Some(snap) = server.snapshot(&params.text_document.uri).await else {
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
