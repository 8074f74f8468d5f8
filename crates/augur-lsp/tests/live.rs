//! In-process tests of the pinned deal: commands, inlay hints (positions
//! after Chinese and astral characters, UTF-16 and UTF-8), code lenses,
//! failing tests as diagnostics, a deal file changed on disk, and the
//! refresh requests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{folder, uri_of, Harness};
use serde_json::{json, Value};

/// The label of the hint at `position`.
fn label_at(hints: &[Value], position: &Value) -> String {
    hints
        .iter()
        .find(|h| &h["position"] == position)
        .unwrap_or_else(|| panic!("no hint at {position}: {hints:#?}"))["label"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits for an `augur/pinStatus` notification about `uri` that `wanted`
/// accepts (earlier ones are skipped), and returns its parameters.
async fn pin_status(h: &mut Harness, uri: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let message = h.message("augur/pinStatus").await;
        let params = message.params().cloned().unwrap();
        if params["uri"] == uri && wanted(&params) {
            return params;
        }
    }
}

/// Waits for both refresh requests (inlay hints and code lenses), which
/// the server sends in no fixed order.
async fn refreshes(h: &mut Harness) {
    let (mut hints, mut lenses) = (false, false);
    while !(hints && lenses) {
        let message = h.messages.recv().await.expect("socket open");
        hints |= message.method() == "workspace/inlayHint/refresh";
        lenses |= message.method() == "workspace/codeLens/refresh";
    }
}

/// The LSP position just after the first `needle` in `text`.
fn after(text: &str, needle: &str, unit: &str) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?}")) + needle.len();
    common::position(&text[..at], unit)
}

const PLAYBOOK: &str = "\
enum 态度 { 支持, 反对 }
facts {
  态度值: 态度? \"𠮷 😀 备注\"
  stage: int
}
signal 问题少 \"😀😀 少\" { when 态度值 == 反对 weight 3 } # 注释 𠮷
let 𠮷倍数 = stage * 2
verdict v \"判断 😀\" { good \"好 𠮷\" when 问题少 other \"Other\" otherwise }
advice 建议 \"建议\" when v == good { \"Go.\" }
test \"测试 𠮷\" {
  given {
    态度值 = 反对
    stage = 2
  }
  expect 问题少
  expect score == 3
}
";

const TEST: &str = "测试 𠮷";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_advertises_hints_lenses_and_commands() {
    let (_, init) = Harness::start(json!({})).await;
    let caps = &init["capabilities"];
    assert_eq!(caps["inlayHintProvider"], true);
    assert!(caps["codeLensProvider"].is_object());
    let commands: Vec<&str> = caps["executeCommandProvider"]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for command in [
        "augur.pinTest",
        "augur.pinDeal",
        "augur.unpin",
        "augur.runTest",
        "augur.runAllTests",
    ] {
        assert!(commands.contains(&command), "{commands:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_test_gives_hints_placed_in_each_encoding() {
    let dir = folder("live-encodings");
    let uri = uri_of(&dir.join("主.augur"));
    for (unit, capabilities) in [
        ("utf-16", json!({})),
        (
            "utf-8",
            json!({ "general": { "positionEncodings": ["utf-8"] } }),
        ),
    ] {
        let (mut h, _) = Harness::start(capabilities).await;
        h.open(&uri, PLAYBOOK).await;
        assert!(h.hints(&uri).await.is_empty(), "nothing pinned yet");
        let status = h
            .command("augur.pinTest", json!({ "uri": uri, "test": TEST }))
            .await
            .unwrap();
        assert_eq!(status["name"], TEST);
        assert_eq!(status["status"], "好 𠮷 · score +3");
        let hints = h.hints(&uri).await;
        assert_eq!(
            label_at(&hints, &after(PLAYBOOK, "signal 问题少", unit)),
            "✓ +3",
            "{unit}"
        );
        assert_eq!(
            label_at(&hints, &after(PLAYBOOK, "let 𠮷倍数 = stage * 2", unit)),
            "= 4"
        );
        assert_eq!(
            label_at(&hints, &after(PLAYBOOK, "\"好 𠮷\" when 问题少", unit)),
            "✓ chosen"
        );
        assert_eq!(
            label_at(&hints, &after(PLAYBOOK, "\"Other\" otherwise", unit)),
            "✗ not chosen"
        );
        assert_eq!(
            label_at(&hints, &after(PLAYBOOK, "advice 建议", unit)),
            "✓ given"
        );
        // Only the hints inside the requested range.
        let line = after(PLAYBOOK, "signal 问题少", unit)["line"].clone();
        let some = h
            .request(
                "textDocument/inlayHint",
                json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 200 } } }),
            )
            .await
            .unwrap();
        assert_eq!(some.as_array().unwrap().len(), 1, "{some}");
        // Hover on the signal adds the pinned deal's value and what it read.
        let hover = h
            .request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": uri }, "position": after(PLAYBOOK, "signal 问", unit) }),
            )
            .await
            .unwrap();
        let text = hover["contents"]["value"].as_str().unwrap();
        assert!(text.contains("Pinned deal"), "{text}");
        assert!(text.contains("态度值 = 反对"), "{text}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_weight_changes_the_hint_and_the_verdict_lens() {
    let dir = folder("live-weight");
    let uri = uri_of(&dir.join("p.augur"));
    let (mut h, _) = Harness::start(json!({
        "workspace": { "inlayHint": { "refreshSupport": true }, "codeLens": { "refreshSupport": true } }
    }))
    .await;
    h.open(&uri, PLAYBOOK).await;
    h.command("augur.pinTest", json!({ "uri": uri, "test": TEST }))
        .await
        .unwrap();
    h.message("workspace/inlayHint/refresh").await;
    let lenses = h.lenses(&uri).await;
    let titles: Vec<&str> = lenses
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    let verdict_line = after(PLAYBOOK, "verdict v", "utf-16")["line"].clone();
    let verdict = lenses
        .iter()
        .find(|l| l["range"]["start"]["line"] == verdict_line)
        .unwrap_or_else(|| panic!("{titles:?}"));
    assert_eq!(
        verdict["command"]["title"],
        format!("好 𠮷 · score +3 · pinned: {TEST}")
    );
    // A display-only lens runs the read-only status query (an advertised
    // command, so no client says "not supported"), which changes nothing.
    assert_eq!(verdict["command"]["command"], "augur.pinStatus");
    let shown = h
        .command(
            "augur.pinStatus",
            verdict["command"]["arguments"][0].clone(),
        )
        .await
        .unwrap();
    assert_eq!(shown["name"], TEST);
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("📌 Pinned: test “测试 𠮷” — 好 𠮷 · score +3")),
        "{titles:?}"
    );
    assert!(titles.contains(&"▶ Run all tests (1)"), "{titles:?}");
    assert!(titles.contains(&"▶ Run"), "{titles:?}");
    assert!(titles.contains(&"📌 Pinned"), "{titles:?}");

    // weight 3 → weight 5: the hint and the lens follow; the pin survives.
    let edited = PLAYBOOK.replace("weight 3", "weight 5");
    h.change(&uri, 2, json!([{ "text": edited }])).await;
    let hints = h.hints(&uri).await;
    assert_eq!(
        label_at(&hints, &after(&edited, "signal 问题少", "utf-16")),
        "✓ +5"
    );
    let lenses = h.lenses(&uri).await;
    let verdict = lenses
        .iter()
        .find(|l| l["range"]["start"]["line"] == verdict_line)
        .unwrap();
    assert_eq!(
        verdict["command"]["title"],
        format!("好 𠮷 · score +5 · pinned: {TEST}")
    );
    // After the debounced check: diagnostics (the test now fails), a status
    // notification and the refresh requests.
    let diagnostics = h.diagnostics(&uri, Some(2)).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let status = h.message("augur/pinStatus").await;
    assert_eq!(status.params().unwrap()["status"], "好 𠮷 · score +5");
    h.message("workspace/codeLens/refresh").await;

    // Unpin: no hints, the pin lens says so, and a status bar is told
    // that nothing is pinned (`name: null`), whoever ran the command.
    h.command("augur.unpin", json!({ "uri": uri }))
        .await
        .unwrap();
    let status = pin_status(&mut h, &uri, |p| p["name"].is_null()).await;
    assert_eq!(status["status"], Value::Null, "{status}");
    h.message("workspace/inlayHint/refresh").await;
    assert!(h.hints(&uri).await.is_empty());
    let lenses = h.lenses(&uri).await;
    assert!(lenses[0]["command"]["title"]
        .as_str()
        .unwrap()
        .starts_with("📌 No deal pinned"));
    assert_eq!(lenses[0]["command"]["command"], "augur.pinStatus");
    assert_eq!(lenses[0]["command"]["arguments"][0]["uri"], uri.as_str());
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_expectation_is_a_warning_on_its_line_until_fixed() {
    let dir = folder("live-expect");
    let uri = uri_of(&dir.join("p.augur"));
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(&uri, PLAYBOOK).await;
    assert_eq!(h.diagnostics(&uri, Some(1)).await, Vec::<Value>::new());
    let broken = PLAYBOOK.replace("expect score == 3", "expect score == 7");
    h.change(&uri, 2, json!([{ "text": broken }])).await;
    let diagnostics = h.diagnostics(&uri, Some(2)).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "augur::test-failed");
    assert_eq!(d["severity"], 2, "a warning");
    assert_eq!(
        d["range"]["start"]["line"],
        after(&broken, "expect score == 7", "utf-16")["line"]
    );
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("expected `score == 7`"), "{message}");
    assert!(message.contains("score = +3"), "{message}");
    h.change(&uri, 3, json!([{ "text": PLAYBOOK }])).await;
    assert_eq!(h.diagnostics(&uri, Some(3)).await, Vec::<Value>::new());

    // A given file that does not decode: on its `given` line.
    std::fs::write(dir.join("bad.json"), "{ \"stage\": ").unwrap();
    let with_file = PLAYBOOK.replace("  given {\n", "  given \"bad.json\"\n  given {\n");
    h.change(&uri, 4, json!([{ "text": with_file }])).await;
    let diagnostics = h.diagnostics(&uri, Some(4)).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "augur::test-failed");
    assert_eq!(
        diagnostics[0]["range"]["start"]["line"],
        after(&with_file, "given \"bad", "utf-16")["line"]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_deal_file_changed_on_disk_changes_the_hints() {
    let dir = folder("live-deal");
    let path = dir.join("p.augur");
    let uri = uri_of(&path);
    std::fs::create_dir_all(dir.join("deals")).unwrap();
    std::fs::write(
        dir.join("deals/一.json"),
        r#"{"stage": 1, "态度值": "支持"}"#,
    )
    .unwrap();
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(&uri, PLAYBOOK).await;
    let status = h
        .command(
            "augur.pinDeal",
            json!({ "uri": uri, "path": dir.join("deals/一.json").to_str().unwrap() }),
        )
        .await
        .unwrap();
    assert_eq!(status["name"], "一.json");
    let hints = h.hints(&uri).await;
    assert_eq!(
        label_at(&hints, &after(PLAYBOOK, "signal 问题少", "utf-16")),
        "✗"
    );
    assert_eq!(
        label_at(&hints, &after(PLAYBOOK, "let 𠮷倍数 = stage * 2", "utf-16")),
        "= 2"
    );

    std::fs::write(dir.join("deals/一.json"), r#"{"stage": 4}"#).unwrap();
    h.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri_of(&dir.join("deals/一.json")), "type": 2 }] }),
    )
    .await;
    let hints = h.hints(&uri).await;
    assert_eq!(
        label_at(&hints, &after(PLAYBOOK, "signal 问题少", "utf-16")),
        "? needs 态度值"
    );
    assert_eq!(
        label_at(&hints, &after(PLAYBOOK, "let 𠮷倍数 = stage * 2", "utf-16")),
        "= 8"
    );

    // Paths are confined to the playbook's folder.
    for outside in ["../elsewhere.json", "/etc/passwd"] {
        let error = h
            .command("augur.pinDeal", json!({ "uri": uri, "path": outside }))
            .await
            .unwrap_err();
        assert!(error.message.contains("folder"), "{}", error.message);
    }
    // A file that does not exist, or a symbolic link out of the folder, is
    // refused up front too (InvalidParams), and the pin stays as it was.
    let error = h
        .command(
            "augur.pinDeal",
            json!({ "uri": uri, "path": "deals/无.json" }),
        )
        .await
        .unwrap_err();
    assert_eq!(error.code, tower_lsp::jsonrpc::ErrorCode::InvalidParams);
    assert!(
        error.message.contains("does not exist"),
        "{}",
        error.message
    );
    #[cfg(unix)]
    {
        let outside = folder("live-deal-outside");
        std::fs::write(outside.join("secret.json"), r#"{"stage": 9}"#).unwrap();
        std::os::unix::fs::symlink(outside.join("secret.json"), dir.join("deals/link.json"))
            .unwrap();
        let error = h
            .command(
                "augur.pinDeal",
                json!({ "uri": uri, "path": "deals/link.json" }),
            )
            .await
            .unwrap_err();
        assert_eq!(error.code, tower_lsp::jsonrpc::ErrorCode::InvalidParams);
        assert!(
            error.message.contains("outside the playbook's folder"),
            "{}",
            error.message
        );
        std::fs::remove_dir_all(&outside).ok();
    }
    let status = h
        .command("augur.pinStatus", json!({ "uri": uri }))
        .await
        .unwrap();
    assert_eq!(status["name"], "一.json", "{status}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_deal_setting_pins_every_playbook_without_a_pin() {
    let dir = folder("live-sample");
    let uri = uri_of(&dir.join("p.augur"));
    std::fs::write(dir.join("sample.json"), r#"{"stage": 3, "态度值": "反对"}"#).unwrap();
    let (mut h, _) = Harness::start(json!({
        "workspace": { "inlayHint": { "refreshSupport": true }, "codeLens": { "refreshSupport": true } }
    }))
    .await;
    h.open(&uri, PLAYBOOK).await;
    assert!(h.hints(&uri).await.is_empty());
    // The check after opening is done before the setting changes.
    assert_eq!(h.diagnostics(&uri, Some(1)).await, Vec::<Value>::new());
    h.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "augur": { "sampleDeal": "sample.json" } } }),
    )
    .await;
    // The change alone (no edit) tells the editor: the status bar gets
    // the sample deal, hints and lenses are asked for again.
    let status = pin_status(&mut h, &uri, |p| p["name"] == "sample.json").await;
    assert_eq!(status["status"], "好 𠮷 · score +3", "{status}");
    tokio::time::timeout(std::time::Duration::from_secs(10), refreshes(&mut h))
        .await
        .expect("both refresh requests in time");
    let hints = h.hints(&uri).await;
    assert_eq!(
        label_at(&hints, &after(PLAYBOOK, "let 𠮷倍数 = stage * 2", "utf-16")),
        "= 6"
    );
    // An explicit pin wins over the setting.
    h.command("augur.pinTest", json!({ "uri": uri, "test": TEST }))
        .await
        .unwrap();
    let hints = h.hints(&uri).await;
    assert_eq!(
        label_at(&hints, &after(PLAYBOOK, "let 𠮷倍数 = stage * 2", "utf-16")),
        "= 4"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tests_run_by_command() {
    let dir = folder("live-run");
    let uri = uri_of(&dir.join("p.augur"));
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(&uri, PLAYBOOK).await;
    let result = h
        .command("augur.runTest", json!({ "uri": uri, "test": TEST }))
        .await
        .unwrap();
    assert_eq!(result["passed"], 1);
    assert_eq!(result["total"], 1);
    assert_eq!(result["summary"], format!("Test “{TEST}” passed."));
    let shown = h.message("window/showMessage").await;
    assert_eq!(
        shown.params().unwrap()["message"],
        format!("Test “{TEST}” passed.")
    );

    let broken = PLAYBOOK.replace("expect 问题少", "expect not 问题少");
    h.change(&uri, 2, json!([{ "text": broken }])).await;
    let result = h
        .command("augur.runAllTests", json!({ "uri": uri }))
        .await
        .unwrap();
    assert_eq!(result["passed"], 0);
    assert_eq!(result["tests"][0]["failures"][0]["expect"], "not 问题少");
    let error = h
        .command("augur.runTest", json!({ "uri": uri, "test": "nope" }))
        .await
        .unwrap_err();
    assert!(error.message.contains("no test “nope”"));
    let error = h
        .command("augur.frobnicate", json!({ "uri": uri }))
        .await
        .unwrap_err();
    assert!(error.message.contains("unknown command"));
    let error = h
        .command("augur.pinTest", json!({ "test": TEST }))
        .await
        .unwrap_err();
    assert!(error.message.contains("uri"));

    // A `given` file changed on disk with no watcher notification (Helix,
    // a Neovim without dynamic registration): "▶ Run" reads it again and
    // publishes the failure as a warning, with no edit of the playbook.
    let given_uri = uri_of(&dir.join("given.augur"));
    std::fs::write(dir.join("deal.json"), r#"{"stage": 2, "态度值": "反对"}"#).unwrap();
    let with_file = PLAYBOOK.replace(
        "  given {\n    态度值 = 反对\n    stage = 2\n  }\n",
        "  given \"deal.json\"\n",
    );
    assert_ne!(with_file, PLAYBOOK);
    h.open(&given_uri, &with_file).await;
    assert_eq!(
        h.diagnostics(&given_uri, Some(1)).await,
        Vec::<Value>::new()
    );
    std::fs::write(dir.join("deal.json"), r#"{"stage": 2, "态度值": "支持"}"#).unwrap();
    let result = h
        .command("augur.runTest", json!({ "uri": given_uri, "test": TEST }))
        .await
        .unwrap();
    assert_eq!(result["passed"], 0, "{result}");
    let diagnostics = h.diagnostics(&given_uri, Some(1)).await;
    let failed: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "augur::test-failed")
        .collect();
    assert!(!failed.is_empty(), "{diagnostics:#?}");
    assert_eq!(
        failed[0]["range"]["start"]["line"],
        after(&with_file, "expect 问题少", "utf-16")["line"]
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verdict_lens_says_how_many_questions_decide_it() {
    // The Chinese flagship playbook, a late deal with nothing else known:
    // Backup, and one question (late_objection) decides it.
    let dir = folder("live-guide");
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/standing.zh.augur"),
    )
    .unwrap();
    let uri = uri_of(&dir.join("立场.augur"));
    std::fs::write(dir.join("晚期.json"), r#"{"id": "u1", "stage": "late"}"#).unwrap();
    let (mut h, _) = Harness::start(json!({})).await;
    h.open(&uri, &text).await;
    let status = h
        .command("augur.pinDeal", json!({ "uri": uri, "path": "晚期.json" }))
        .await
        .unwrap();
    let status = status["status"].as_str().unwrap().to_string();
    assert!(status.ends_with("· 1 question decides it"), "{status}");
    let lenses = h.lenses(&uri).await;
    let verdict_line = after(&text, "\nverdict ", "utf-16")["line"]
        .as_u64()
        .unwrap();
    let verdict = lenses
        .iter()
        .find(|l| l["range"]["start"]["line"] == verdict_line)
        .unwrap_or_else(|| panic!("{lenses:#?}"));
    let title = verdict["command"]["title"].as_str().unwrap();
    assert!(
        title.contains("· 1 question decides it · pinned: 晚期.json"),
        "{title}"
    );
    let hints = h.hints(&uri).await;
    let labels: Vec<&str> = hints.iter().filter_map(|h| h["label"].as_str()).collect();
    assert!(labels.contains(&"✗ impossible"), "{labels:?}");
    assert!(labels.contains(&"✓ chosen, not settled"), "{labels:?}");
    assert!(
        labels.contains(&"possible: depends on late_objection"),
        "{labels:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
