//! `textDocument/semanticTokens/full`: the kinds of `augur_ide::semantic_tokens`
//! with the legend advertised at `initialize` (`convert::legend`).

use crate::{guarded, Backend};
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

pub(crate) async fn semantic_tokens_full(
    server: &Backend,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    let Some(snap) = server.snapshot(&params.text_document.uri).await else {
        return Ok(None);
    };
    guarded("semanticTokens", || {
        Some(SemanticTokensResult::Tokens(snap.semantic_tokens()))
    })
}
