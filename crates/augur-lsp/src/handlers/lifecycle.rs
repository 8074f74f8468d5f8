//! `initialize` (the position encoding, the capabilities, what the client
//! supports for the pinned deal) and `initialized` (file watchers).
//! `shutdown`/`exit` and the exit code are in `lib.rs`.

use crate::handlers::live::{self, COMMANDS};
use crate::{convert, Backend};
use augur_syntax::ColumnUnit;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::*;

fn position_encoding(params: &InitializeParams) -> ColumnUnit {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => ColumnUnit::Utf8,
        _ => ColumnUnit::Utf16,
    }
}

pub(crate) async fn initialize(
    server: &Backend,
    params: InitializeParams,
) -> Result<InitializeResult> {
    let unit = position_encoding(&params);
    {
        let mut state = server.state();
        state.unit = unit;
        state.live.support = live::client_support(&params);
        if let Some(sample) = params
            .initialization_options
            .as_ref()
            .and_then(live::sample_deal)
        {
            state.live.sample_deal = sample;
        }
    }
    let encoding = match unit {
        ColumnUnit::Utf8 => PositionEncodingKind::UTF8,
        _ => PositionEncodingKind::UTF16,
    };
    Ok(InitializeResult {
        server_info: Some(ServerInfo {
            name: "augur".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        capabilities: ServerCapabilities {
            position_encoding: Some(encoding),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), "(".into(), "[".into()]),
                ..Default::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            semantic_tokens_provider: Some(
                SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: convert::legend(),
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    ..Default::default()
                }),
            ),
            inlay_hint_provider: Some(OneOf::Left(true)),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: COMMANDS.iter().map(|c| c.to_string()).collect(),
                ..Default::default()
            }),
            ..Default::default()
        },
    })
}

pub(crate) async fn initialized(server: &Backend, _params: InitializedParams) {
    server
        .inner
        .client
        .log_message(MessageType::INFO, "augur language server ready")
        .await;
    super::watch::register(server).await;
}
