//! Document symbols (the outline), workspace symbols (over every open
//! document and its imports, sorted, duplicates removed) and folding ranges.

use crate::{guarded, Backend};
use augur_syntax::FileId;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

pub(crate) async fn document_symbol(
    server: &Backend,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let Some(snap) = server.snapshot(&params.text_document.uri).await else {
        return Ok(None);
    };
    guarded("documentSymbol", || {
        let symbols = augur_ide::document_symbols(&snap.analysis, FileId::ROOT);
        Some(DocumentSymbolResponse::Nested(
            symbols
                .into_iter()
                .map(|s| snap.document_symbol(FileId::ROOT, s))
                .collect(),
        ))
    })
}

pub(crate) async fn symbol(
    server: &Backend,
    params: WorkspaceSymbolParams,
) -> Result<Option<Vec<SymbolInformation>>> {
    let uris: Vec<Url> = server.state().host.keys();
    let mut found: Vec<SymbolInformation> = Vec::new();
    for uri in uris {
        let Some(snap) = server.snapshot(&uri).await else {
            continue;
        };
        let mut more = guarded("workspace/symbol", || snap.workspace_symbols(&params.query))?;
        found.append(&mut more);
    }
    found.sort_by(|a, b| {
        (a.location.uri.as_str(), a.location.range.start, &a.name).cmp(&(
            b.location.uri.as_str(),
            b.location.range.start,
            &b.name,
        ))
    });
    found.dedup_by(|a, b| a.location == b.location && a.name == b.name);
    Ok(Some(found))
}

pub(crate) async fn folding_range(
    server: &Backend,
    params: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let Some(snap) = server.snapshot(&params.text_document.uri).await else {
        return Ok(None);
    };
    guarded("foldingRange", || Some(snap.folding_ranges()))
}
