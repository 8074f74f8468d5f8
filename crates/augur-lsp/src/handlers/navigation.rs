//! Go to definition, references, prepare-rename and rename (validated by
//! `augur-ide`, edits across the imported files).

use crate::{guarded, Backend};
use augur_syntax::FileId;
use tower_lsp::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp::lsp_types::*;

pub(crate) async fn goto_definition(
    server: &Backend,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let Some((snap, offset)) = server.at(&params.text_document_position_params).await else {
        return Ok(None);
    };
    guarded("definition", || {
        augur_ide::definition(&snap.analysis, FileId::ROOT, offset)
            .and_then(|at| snap.location(at))
            .map(GotoDefinitionResponse::Scalar)
    })
}

pub(crate) async fn references(
    server: &Backend,
    params: ReferenceParams,
) -> Result<Option<Vec<Location>>> {
    let Some((snap, offset)) = server.at(&params.text_document_position).await else {
        return Ok(None);
    };
    guarded("references", || {
        let found = augur_ide::references(
            &snap.analysis,
            FileId::ROOT,
            offset,
            params.context.include_declaration,
        );
        Some(
            found
                .into_iter()
                .filter_map(|at| snap.location(at))
                .collect(),
        )
    })
}

pub(crate) async fn prepare_rename(
    server: &Backend,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let Some((snap, offset)) = server.at(&params).await else {
        return Ok(None);
    };
    match guarded("prepareRename", || {
        augur_ide::prepare_rename(&snap.analysis, FileId::ROOT, offset)
    })? {
        Ok(span) => Ok(Some(PrepareRenameResponse::Range(
            snap.range(FileId::ROOT, span),
        ))),
        Err(_) => Ok(None),
    }
}

pub(crate) async fn rename(
    server: &Backend,
    params: RenameParams,
) -> Result<Option<WorkspaceEdit>> {
    let Some((snap, offset)) = server.at(&params.text_document_position).await else {
        return Ok(None);
    };
    let edits = guarded("rename", || {
        augur_ide::rename(&snap.analysis, FileId::ROOT, offset, &params.new_name)
    })?;
    match edits {
        Ok(edits) => Ok(Some(snap.workspace_edit(&edits))),
        Err(message) => Err(Error {
            code: ErrorCode::InvalidParams,
            message: message.into(),
            data: None,
        }),
    }
}
