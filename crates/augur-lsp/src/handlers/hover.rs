//! `textDocument/hover`: `augur_ide::hover`, plus what the pinned deal
//! says at that place (from `live`).

use crate::{guarded, Backend};
use augur_syntax::FileId;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

pub(crate) async fn hover(server: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let Some((snap, offset)) = server.at(&params.text_document_position_params).await else {
        return Ok(None);
    };
    let pinned = server
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
