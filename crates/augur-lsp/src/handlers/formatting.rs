//! `textDocument/formatting`: `augur_ide::format` off the async threads,
//! as one whole-document edit (nothing when the file does not parse).

use crate::{convert, internal, Backend};
use std::panic::AssertUnwindSafe;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

pub(crate) async fn formatting(
    server: &Backend,
    params: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>> {
    let text = {
        let state = server.state();
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
    let unit = server.state().unit;
    Ok(formatted.map(|edit| vec![edit(unit)]))
}
