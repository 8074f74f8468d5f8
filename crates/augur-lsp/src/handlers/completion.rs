//! `textDocument/completion`: `augur_ide::completions` at the cursor,
//! converted to LSP items (the replaced range in the client's unit).

use crate::{guarded, Backend};
use augur_syntax::FileId;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

pub(crate) async fn completion(
    server: &Backend,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let Some((snap, offset)) = server.at(&params.text_document_position).await else {
        return Ok(None);
    };
    guarded("completion", || {
        let items = augur_ide::completions(&snap.analysis, FileId::ROOT, offset);
        Some(CompletionResponse::Array(
            items.into_iter().map(|i| snap.completion_item(i)).collect(),
        ))
    })
}
