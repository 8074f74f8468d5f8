//! In-process tests of the language server through tower-lsp's
//! `LspService` (tower `Service` calls), with fixture texts whose cursor
//! positions are marked `$0` — after Chinese characters and astral ones
//! (𠮷, 😀) — in both UTF-16 and UTF-8 position encodings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{position_params, Harness};
use serde_json::{json, Value};
use std::time::Duration;
use tower::{Service, ServiceExt};
use tower_lsp::jsonrpc::Request;

/// Removes `$0` from `text`; returns the text and the marker's LSP position
/// in `unit` ("utf-16" or "utf-8").
fn marked(text: &str, unit: &str) -> (String, Value) {
    let at = text.find("$0").unwrap();
    let position = common::position(&text[..at], unit);
    (text.replacen("$0", "", 1), position)
}

const URI: &str = "file:///nonexistent-augur-test/main.augur";

const PLAYBOOK: &str = "\
enum 态度 { 支持, 反对 }
facts {
  态度值: 态度? \"𠮷 😀 备注\"
  stage: int
}
signal 问题少 \"😀😀 少\" { when 态度值 == 反对 weight 1 } # 注释 𠮷
verdict v { good \"Good\" when 问题少 other \"Other\" otherwise }
signal s2 { when stage > 1 weight 1 }
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negotiates_the_position_encoding() {
    let (_, init) = Harness::start(json!({})).await;
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let (_, init) =
        Harness::start(json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } })).await;
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(
        init["capabilities"]["textDocumentSync"]["change"], 2,
        "incremental"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_after_astral_characters_are_placed_in_each_encoding() {
    for (unit, capabilities) in [
        ("utf-16", json!({})),
        (
            "utf-8",
            json!({ "general": { "positionEncodings": ["utf-8"] } }),
        ),
    ] {
        let (mut h, _) = Harness::start(capabilities).await;
        let (text, position) = marked(
            &PLAYBOOK.replace("态度值 == 反对", "态度值 == $0反怼"),
            unit,
        );
        h.open(URI, &text).await;
        let diagnostics = h.diagnostics(URI, Some(1)).await;
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        assert_eq!(diagnostics[0]["code"], "augur::unknown-variant");
        assert_eq!(diagnostics[0]["source"], "augur");
        assert_eq!(diagnostics[0]["range"]["start"], position, "{unit}");
        let width = if unit == "utf-8" { 6 } else { 2 };
        assert_eq!(
            diagnostics[0]["range"]["end"]["character"],
            position["character"].as_u64().unwrap() + width
        );
        // Hover right after a Chinese name, on the same line as the emoji.
        let (_, position) = marked(&text.replace("态度值 == 反怼", "态度值$0 == 反怼"), unit);
        let hover = h
            .request("textDocument/hover", position_params(URI, &position))
            .await
            .unwrap();
        assert!(hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("fact 态度值: 态度?"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_diagnostics_with_related_information_then_an_empty_list_when_fixed() {
    let (mut h, _) = Harness::start(json!({})).await;
    let broken = PLAYBOOK.replace("stage: int", "stage: int\n  stage: int")
        + "signal x { when nope weight 1 }\n";
    h.open(URI, &broken).await;
    let diagnostics = h.diagnostics(URI, Some(1)).await;
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["augur::duplicate-name", "augur::unknown-name"]);
    let related = &diagnostics[0]["relatedInformation"][0];
    assert_eq!(related["message"], "first declared here");
    assert_eq!(related["location"]["uri"], URI);
    assert_eq!(related["location"]["range"]["start"]["line"], 3);
    assert!(diagnostics[1]["message"]
        .as_str()
        .unwrap()
        .contains("help:"));
    // Same codes as the CLI's check of the same text.
    let cli = augur_check::analyze_text(&broken);
    let cli_codes: Vec<&str> = cli.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, cli_codes);

    h.change(URI, 2, json!([{ "text": PLAYBOOK }])).await;
    assert_eq!(h.diagnostics(URI, Some(2)).await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_content_changes_apply_in_order() {
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(URI, "enum 态度 { 支持 }\n").await;
    h.diagnostics(URI, Some(1)).await;
    // Insert a line, then edit the new second line (relative to the first
    // change's result), after an astral character.
    h.change(
        URI,
        2,
        json!([
            { "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } }, "text": "facts { 𠮷x: int }\n" },
            { "range": { "start": { "line": 1, "character": 10 }, "end": { "line": 1, "character": 11 } }, "text": "态度值" },
            { "range": { "start": { "line": 1, "character": 18 }, "end": { "line": 1, "character": 18 } }, "text": " \"备注\"" },
        ]),
    )
    .await;
    let diagnostics = h.diagnostics(URI, Some(2)).await;
    assert!(
        diagnostics.iter().all(|d| d["severity"] == 2),
        "only warnings: {diagnostics:#?}"
    );
    let hover = h
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 1, "character": 10 } }),
        )
        .await
        .unwrap();
    let hover = hover["contents"]["value"].as_str().unwrap();
    assert!(
        hover.contains("fact 𠮷态度值: int") && hover.contains("备注"),
        "{hover}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_changes_and_requests_stays_consistent() {
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(URI, "facts { a: int }\nsignal s { when a > 0 weight 1 }\n")
        .await;
    let mut futures = Vec::new();
    // Each change appends one character to the fact name `a` (line 0,
    // column 9 + i) and renames its use; requests in between are not awaited.
    for i in 0..20u32 {
        let version = 2 + i as i32;
        let request = Request::build("textDocument/didChange")
            .params(json!({
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [
                    { "range": { "start": { "line": 1, "character": 17 + i }, "end": { "line": 1, "character": 17 + i } }, "text": "b" },
                    { "range": { "start": { "line": 0, "character": 9 + i }, "end": { "line": 0, "character": 9 + i } }, "text": "b" }
                ]
            }))
            .finish();
        futures.push(h.service.ready().await.unwrap().call(request));
        let hover = h.build(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 8 } }),
        );
        futures.push(h.service.ready().await.unwrap().call(hover));
        let completion = h.build(
            "textDocument/completion",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 1, "character": 16 } }),
        );
        futures.push(h.service.ready().await.unwrap().call(completion));
    }
    let responses = futures::future::join_all(futures).await;
    for response in responses {
        if let Some(response) = response.unwrap() {
            assert!(response.into_parts().1.is_ok());
        }
    }
    // The final text has the 20 edits applied in order: no error, and the
    // last diagnostics published are for the last version.
    let expected_name = format!("a{}", "b".repeat(20));
    let hover = h
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 9 } }),
        )
        .await
        .unwrap();
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains(&format!("fact {expected_name}: int")),
        "{hover}"
    );
    let diagnostics = h.diagnostics(URI, Some(21)).await;
    assert_eq!(diagnostics, Vec::<Value>::new());
    // Nothing older is published after the newest version.
    tokio::time::sleep(Duration::from_millis(200)).await;
    while let Ok(message) = h.messages.try_recv() {
        if message.method() == "textDocument/publishDiagnostics" {
            panic!("stale diagnostics after the newest: {:?}", message.params());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigation_rename_and_completion() {
    let (mut h, _) = Harness::start(json!({})).await;
    let (text, position) = marked(&PLAYBOOK.replace("when 问题少", "when 问$0题少"), "utf-16");
    h.open(URI, &text).await;
    let definition = h
        .request("textDocument/definition", position_params(URI, &position))
        .await
        .unwrap();
    assert_eq!(definition["uri"], URI);
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": 5, "character": 7 })
    );
    let mut params = position_params(URI, &position);
    params["context"] = json!({ "includeDeclaration": true });
    let references = h.request("textDocument/references", params).await.unwrap();
    assert_eq!(references.as_array().unwrap().len(), 2);
    let prepared = h
        .request(
            "textDocument/prepareRename",
            position_params(URI, &position),
        )
        .await
        .unwrap();
    assert_eq!(prepared["start"], json!({ "line": 6, "character": 29 }));
    let mut params = position_params(URI, &position);
    params["newName"] = json!("少问题");
    let edit = h
        .request("textDocument/rename", params.clone())
        .await
        .unwrap();
    assert_eq!(edit["changes"][URI].as_array().unwrap().len(), 2);
    params["newName"] = json!("not a name");
    let error = h.request("textDocument/rename", params).await.unwrap_err();
    assert!(
        error.message.contains("not a valid name"),
        "{}",
        error.message
    );

    // Completion of variants after `==`, past an emoji on the line.
    let (text, position) = marked(
        &PLAYBOOK.replace("态度值 == 反对", "态度值 == $0"),
        "utf-16",
    );
    h.change(URI, 2, json!([{ "text": text }])).await;
    let items = h
        .request("textDocument/completion", position_params(URI, &position))
        .await
        .unwrap();
    let mut items = items.as_array().unwrap().clone();
    items.sort_by_key(|i| i["sortText"].as_str().unwrap().to_string());
    assert_eq!(items[0]["label"], "反对");
    assert_eq!(items[0]["textEdit"]["range"]["start"], position);
    let count = items.iter().find(|i| i["label"] == "count").unwrap();
    assert_eq!(count["insertTextFormat"], 2, "snippet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outline_folding_tokens_formatting_and_code_actions() {
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(URI, PLAYBOOK).await;
    let doc = json!({ "textDocument": { "uri": URI } });
    let symbols = h
        .request("textDocument/documentSymbol", doc.clone())
        .await
        .unwrap();
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["态度", "facts", "问题少", "v", "s2"]);
    assert_eq!(symbols[3]["children"][1]["name"], "other");
    let found = h
        .request("workspace/symbol", json!({ "query": "态度" }))
        .await
        .unwrap();
    assert_eq!(found.as_array().unwrap().len(), 2, "{found}");
    let folds = h
        .request("textDocument/foldingRange", doc.clone())
        .await
        .unwrap();
    assert_eq!(folds[0]["startLine"], 1);
    assert_eq!(folds[0]["endLine"], 4);
    let tokens = h
        .request("textDocument/semanticTokens/full", doc.clone())
        .await
        .unwrap();
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(data.len() % 5, 0);
    // Walk to the comment on line 5 (after an emoji label): UTF-16 column.
    let (mut line, mut column) = (0, 0);
    let mut comment = None;
    for chunk in data.chunks(5) {
        if chunk[0] > 0 {
            column = 0;
        }
        line += chunk[0];
        column += chunk[1];
        if chunk[3] == 3 {
            comment = Some((line, column, chunk[2]));
        }
    }
    let comment_line = PLAYBOOK.lines().nth(5).unwrap();
    let at = comment_line.find('#').unwrap();
    assert_eq!(
        comment,
        Some((
            5,
            comment_line[..at].encode_utf16().count() as u64,
            "# 注释 𠮷".encode_utf16().count() as u64
        ))
    );

    let format = json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = h
        .request("textDocument/formatting", format.clone())
        .await
        .unwrap();
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    let formatted = edits[0]["newText"].as_str().unwrap().to_string();
    assert_eq!(edits[0]["range"]["end"]["line"], PLAYBOOK.lines().count());
    h.change(URI, 2, json!([{ "text": formatted }])).await;
    assert_eq!(
        h.request("textDocument/formatting", format.clone())
            .await
            .unwrap(),
        json!(null),
        "unchanged"
    );
    h.change(URI, 3, json!([{ "text": "signal s { when" }]))
        .await;
    assert_eq!(
        h.request("textDocument/formatting", format).await.unwrap(),
        json!(null),
        "unparsable"
    );

    let typo = PLAYBOOK.replace("态度值 == 反对", "态度值 == 反怼");
    h.change(URI, 4, json!([{ "text": typo }])).await;
    let line = typo.lines().nth(5).unwrap();
    let column = line[..line.find("反怼").unwrap()].encode_utf16().count();
    let actions = h
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": { "start": { "line": 5, "character": column }, "end": { "line": 5, "character": column } },
                "context": { "diagnostics": [] }
            }),
        )
        .await
        .unwrap();
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Add `反怼` to enum `态度`"), "{titles:?}");
    let add = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Add `反怼` to enum `态度`")
        .unwrap();
    assert_eq!(add["diagnostics"][0]["code"], "augur::unknown-variant");
    assert_eq!(add["edit"]["changes"][URI][0]["newText"], ", 反怼");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_follow_open_documents_and_recheck_importers() {
    let dir = std::env::temp_dir().join(format!("augur-lsp-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("common")).unwrap();
    std::fs::write(
        dir.join("common/types.augur"),
        "enum Stage { early, late }\n",
    )
    .unwrap();
    let main_text = "import \"common/types.augur\"\nfacts { stage: Stage }\nsignal s { when stage == late weight 1 }\n";
    std::fs::write(dir.join("main.augur"), main_text).unwrap();
    let main = tower_lsp::lsp_types::Url::from_file_path(dir.join("main.augur"))
        .unwrap()
        .to_string();
    let types = tower_lsp::lsp_types::Url::from_file_path(dir.join("common/types.augur"))
        .unwrap()
        .to_string();

    let (mut h, _) = Harness::start(json!({})).await;
    h.open(&main, main_text).await;
    assert_eq!(h.diagnostics(&main, Some(1)).await, Vec::<Value>::new());
    // Go to definition lands in the imported file.
    let offset = json!({ "line": 2, "character": 26 });
    let definition = h
        .request("textDocument/definition", position_params(&main, &offset))
        .await
        .unwrap();
    assert_eq!(definition["uri"], types);
    // Rename edits both files.
    let mut params = position_params(&main, &offset);
    params["newName"] = json!("后期");
    let edit = h.request("textDocument/rename", params).await.unwrap();
    assert!(
        edit["changes"][&types].is_array() && edit["changes"][&main].is_array(),
        "{edit}"
    );

    // An unsaved edit of the imported file re-checks the importer.
    h.open(&types, "enum Stage { early, late }\n").await;
    h.change(
        &types,
        2,
        json!([{ "text": "enum Stage { early, later }\n" }]),
    )
    .await;
    let diagnostics = h.diagnostics(&main, None).await;
    let diagnostics = if diagnostics.is_empty() {
        h.diagnostics(&main, None).await
    } else {
        diagnostics
    };
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "augur::unknown-variant");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_after_shutdown_are_invalid() {
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(URI, PLAYBOOK).await;
    assert_eq!(
        h.request("shutdown", json!(null)).await.unwrap(),
        json!(null)
    );
    let error = h
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code, tower_lsp::jsonrpc::ErrorCode::InvalidRequest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_on_unknown_documents_and_wild_positions_answer_calmly() {
    let (mut h, _) = Harness::start(json!({})).await;
    let other = "file:///nowhere/x.augur";
    let hover = h
        .request(
            "textDocument/hover",
            position_params(other, &json!({ "line": 0, "character": 0 })),
        )
        .await;
    assert_eq!(hover.unwrap(), json!(null));
    h.open(URI, PLAYBOOK).await;
    for (line, character) in [(0, 4), (0, 999), (99, 0), (5, 11), (2, 10)] {
        let position = json!({ "line": line, "character": character });
        assert!(h
            .request("textDocument/hover", position_params(URI, &position))
            .await
            .is_ok());
        assert!(h
            .request("textDocument/completion", position_params(URI, &position))
            .await
            .is_ok());
    }
    // An edit with a range past the end and inside a surrogate pair.
    h.change(
        URI,
        2,
        json!([
            { "range": { "start": { "line": 2, "character": 13 }, "end": { "line": 2, "character": 13 } }, "text": "!" },
            { "range": { "start": { "line": 50, "character": 3 }, "end": { "line": 60, "character": 0 } }, "text": "# end\n" }
        ]),
    )
    .await;
    h.diagnostics(URI, Some(2)).await;
    // The insertion inside 𠮷's surrogate pair landed before it.
    let hover = h
        .request(
            "textDocument/hover",
            position_params(URI, &json!({ "line": 2, "character": 3 })),
        )
        .await
        .unwrap();
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("!𠮷 😀 备注"),
        "{hover}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problems_in_imported_files_that_are_not_open_are_shown_there() {
    let dir = std::env::temp_dir().join(format!("augur-lsp-foreign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("类型.augur"), "record 事件 { on: 日期 }\n").unwrap();
    let main_text = "import \"类型.augur\"\nfacts { x: int }\nsignal s { when x > 1 weight 1 }\n";
    let main = tower_lsp::lsp_types::Url::from_file_path(dir.join("main.augur"))
        .unwrap()
        .to_string();
    let types = tower_lsp::lsp_types::Url::from_file_path(dir.join("类型.augur"))
        .unwrap()
        .to_string();
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(&main, main_text).await;
    let diagnostics = h.diagnostics(&types, None).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "augur::unknown-type");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({ "line": 0, "character": 16 })
    );
    // No longer imported: cleared.
    h.change(
        &main,
        2,
        json!([{ "text": "facts { x: int }\nsignal s { when x > 1 weight 1 }\n" }]),
    )
    .await;
    assert_eq!(h.diagnostics(&types, None).await, Vec::<Value>::new());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_document_clears_its_diagnostics() {
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(URI, "signal s { when nope weight 1 }\n").await;
    assert_eq!(h.diagnostics(URI, Some(1)).await.len(), 1);
    h.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    )
    .await;
    assert_eq!(h.diagnostics(URI, None).await, Vec::<Value>::new());
    // Requests on a closed document answer nothing, calmly.
    let hover = h
        .request(
            "textDocument/hover",
            position_params(URI, &json!({ "line": 0, "character": 8 })),
        )
        .await
        .unwrap();
    assert_eq!(hover, json!(null));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_watches_playbooks_when_the_client_can_register() {
    let (mut h, _) = Harness::start(
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    )
    .await;
    let register = h.message("client/registerCapability").await;
    let registrations = &register.params().unwrap()["registrations"];
    assert_eq!(
        registrations[0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    let globs: Vec<&Value> = registrations[0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["globPattern"])
        .collect();
    assert!(globs.contains(&&json!("**/*.augur")), "{globs:?}");
}

/// Tells the server that `path` was created (1), changed (2) or deleted (3).
async fn changed_on_disk(h: &mut Harness, path: &std::path::Path, kind: u8) {
    h.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": common::uri_of(path), "type": kind }] }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changed_on_disk_rechecks_its_importers_open_or_not() {
    // 主.augur (open) imports 中间.augur (closed), which imports 类型.augur.
    let dir = common::folder("watched");
    let (main, middle, types) = (
        dir.join("主.augur"),
        dir.join("中间.augur"),
        dir.join("类型.augur"),
    );
    std::fs::write(&types, "enum 阶段 { 早, 晚 }\n").unwrap();
    std::fs::write(
        &middle,
        "import \"类型.augur\"\nrecord 步骤 { 阶段: 阶段 }\n",
    )
    .unwrap();
    let main_text = "import \"中间.augur\"\nfacts { 步: 步骤?, x: int }\nsignal s { when x > 1 and known(步) weight 1 }\n";
    std::fs::write(&main, main_text).unwrap();
    let (main_uri, types_uri) = (common::uri_of(&main), common::uri_of(&types));
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(&main_uri, main_text).await;
    assert_eq!(h.diagnostics(&main_uri, Some(1)).await, Vec::<Value>::new());

    // A playbook nobody imports changes: nothing is checked again.
    std::fs::write(dir.join("别的.augur"), "facts { y: int }\n").unwrap();
    changed_on_disk(&mut h, &dir.join("别的.augur"), 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(message) = h.messages.try_recv() {
        assert_ne!(
            message.method(),
            "textDocument/publishDiagnostics",
            "{message:?}"
        );
    }

    // The closed importer changes: the open one sees it.
    std::fs::write(&middle, "import \"类型.augur\"\nrecord 步 { 阶段: 阶段 }\n").unwrap();
    changed_on_disk(&mut h, &middle, 2).await;
    let diagnostics = h.diagnostics(&main_uri, None).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "augur::unknown-type");

    // A file imported through a closed file breaks: its own problems show
    // on it; fixed, they are cleared.
    std::fs::write(
        &middle,
        "import \"类型.augur\"\nrecord 步骤 { 阶段: 阶段 }\n",
    )
    .unwrap();
    std::fs::write(&types, "enum 阶段 { 早, 晚 \n").unwrap();
    changed_on_disk(&mut h, &types, 2).await;
    let broken = h.diagnostics(&types_uri, None).await;
    assert!(!broken.is_empty(), "the broken import shows its problems");
    assert!(broken.iter().all(|d| d["severity"] == 1), "{broken:#?}");
    std::fs::write(&types, "enum 阶段 { 早, 晚 }\n").unwrap();
    changed_on_disk(&mut h, &types, 2).await;
    // (The importer's own list comes first, then the imported files'.)
    assert_eq!(h.diagnostics(&main_uri, None).await, Vec::<Value>::new());
    assert_eq!(h.diagnostics(&types_uri, None).await, Vec::<Value>::new());

    // Deleted, then created again.
    std::fs::remove_file(&types).unwrap();
    changed_on_disk(&mut h, &types, 3).await;
    let missing = h.diagnostics(&common::uri_of(&middle), None).await;
    assert_eq!(missing[0]["code"], "augur::import-path", "{missing:#?}");
    std::fs::write(&types, "enum 阶段 { 早, 晚 }\n").unwrap();
    changed_on_disk(&mut h, &types, 1).await;
    assert_eq!(
        h.diagnostics(&common::uri_of(&middle), None).await,
        Vec::<Value>::new()
    );

    // Closing the importer clears what it showed on imported files.
    std::fs::write(&types, "enum 阶段 { 早, 晚 \n").unwrap();
    changed_on_disk(&mut h, &types, 2).await;
    assert!(!h.diagnostics(&types_uri, None).await.is_empty());
    h.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": main_uri } }),
    )
    .await;
    assert_eq!(h.diagnostics(&types_uri, None).await, Vec::<Value>::new());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_file_keeps_its_problems_while_another_open_file_imports_it() {
    let dir = common::folder("two-importers");
    let types = dir.join("类型.augur");
    std::fs::write(&types, "record 事件 { on: 日期 }\n").unwrap();
    let text = "import \"类型.augur\"\nfacts { x: int }\nsignal s { when x > 1 weight 1 }\n";
    let (one, two) = (
        common::uri_of(&dir.join("一.augur")),
        common::uri_of(&dir.join("二.augur")),
    );
    let types_uri = common::uri_of(&types);
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(&one, text).await;
    assert_eq!(h.diagnostics(&types_uri, None).await.len(), 1);
    h.open(&two, text).await;
    assert_eq!(h.diagnostics(&types_uri, None).await.len(), 1);
    // 一 no longer imports it; 二 still does: no empty list for 类型.
    h.change(
        &one,
        2,
        json!([{ "text": "facts { x: int }\nsignal s { when x > 1 weight 1 }\n" }]),
    )
    .await;
    h.diagnostics(&one, Some(2)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(message) = h.messages.try_recv() {
        let params = message.params().cloned().unwrap_or_default();
        assert!(
            params["uri"] != types_uri.as_str() || params["diagnostics"] != json!([]),
            "cleared while still imported: {message:?}"
        );
    }
    // The last importer closes: cleared.
    h.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": two } }),
    )
    .await;
    assert_eq!(h.diagnostics(&types_uri, None).await, Vec::<Value>::new());
    std::fs::remove_dir_all(&dir).ok();
}
