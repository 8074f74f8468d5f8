//! End to end: spawns the built `augur lsp` and speaks JSON-RPC over stdio
//! through a whole session, as an editor would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

struct Session {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Session {
    fn start() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_augur"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("every message has a Content-Length")];
                reader.read_exact(&mut body).unwrap();
                let message: Value =
                    serde_json::from_slice(&body).expect("stdout carries only JSON-RPC");
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Session {
            child,
            stdin,
            messages: rx,
            next_id: 0,
        }
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn wait_for(&mut self, what: &str, mut wanted: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .messages
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {what} in time"));
            if wanted(&message) {
                return message;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.wait_for(method, |m| m["id"] == id);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self.wait_for("diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn exit_code(mut self) -> i32 {
        self.notify("exit", json!(null));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn a_whole_editing_session_over_stdio() {
    let dir = std::env::temp_dir().join(format!("augur-lsp-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("阶段.augur");
    let broken = "enum 阶段 { 早期 \"刚开始 𠮷\", 后期 }\nfacts { stage: 阶段 }\nsignal 晚 \"😀\" { when stage == 后朞 weight 1 }\n";
    std::fs::write(&path, broken).unwrap();
    let uri = url_of(&path);

    let mut s = Session::start();
    let init = s.request(
        "initialize",
        json!({ "capabilities": {}, "processId": null, "rootUri": null }),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "augur");
    s.notify("initialized", json!({}));
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "augur", "version": 1, "text": broken } }),
    );
    let diagnostics = s.diagnostics(&uri, 1);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["code"], "augur::unknown-variant");
    // `后朞` starts after `signal 晚 "😀" { when stage == `: UTF-16 column 30.
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({ "line": 2, "character": 30 })
    );

    // Fix the typo with an incremental edit: one character.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 2, "character": 31 }, "end": { "line": 2, "character": 32 } }, "text": "期" }]
        }),
    );
    assert_eq!(s.diagnostics(&uri, 2), Vec::<Value>::new());

    let hover = s.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 31 } }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("阶段.后期"),
        "{hover}"
    );

    let completion = s.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 2, "character": 30 } }),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"早期") && labels.contains(&"后期"),
        "{labels:?}"
    );

    let rename = s.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 9 }, "newName": "阶段值" }),
    );
    assert_eq!(rename["changes"][&uri].as_array().unwrap().len(), 2);

    let formatting = s.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(formatting.as_array().unwrap().len(), 1);

    assert_eq!(s.request("shutdown", json!(null)), json!(null));
    assert_eq!(s.exit_code(), 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn pin_a_test_read_hints_edit_read_hints_again_over_stdio() {
    let dir = std::env::temp_dir().join(format!("augur-lsp-e2e-pin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("钉.augur");
    let text = "facts { 阶段: int }\nsignal 晚 \"😀\" { when 阶段 > 1 weight 2 }\nverdict v { 好 \"好\" when score > 1 差 \"差\" otherwise }\ntest \"例 𠮷\" {\n  given { 阶段 = 3 }\n  expect 晚\n}\n";
    std::fs::write(&path, text).unwrap();
    let uri = url_of(&path);
    let mut s = Session::start();
    let init = s.request("initialize", json!({ "capabilities": {} }));
    assert!(init["capabilities"]["executeCommandProvider"]["commands"]
        .as_array()
        .unwrap()
        .contains(&json!("augur.pinTest")));
    s.notify("initialized", json!({}));
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "augur", "version": 1, "text": text } }),
    );
    assert_eq!(s.diagnostics(&uri, 1), Vec::<Value>::new());
    let status = s.request(
        "workspace/executeCommand",
        json!({ "command": "augur.pinTest", "arguments": [{ "uri": uri, "test": "例 𠮷" }] }),
    );
    assert_eq!(status["status"], "好 · score +2");
    let range =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 10, "character": 0 } });
    let hints = s.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": range }),
    );
    // After `signal 晚`: UTF-16 column 8.
    assert_eq!(hints[0]["position"], json!({ "line": 1, "character": 8 }));
    assert_eq!(hints[0]["label"], "✓ +2");

    // `weight 2` → `weight -2`: the hint follows; the test still passes
    // (`expect 晚` asks only that the signal fires, whatever its weight).
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 1, "character": 35 }, "end": { "line": 1, "character": 35 } }, "text": "-" }]
        }),
    );
    let hints = s.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": range }),
    );
    assert_eq!(hints[0]["label"], "✓ −2");
    let arms: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["label"].as_str())
        .collect();
    assert!(
        arms.contains(&"✓ chosen") && arms.contains(&"✗ not chosen"),
        "{arms:?}"
    );
    assert_eq!(
        s.diagnostics(&uri, 2),
        Vec::<Value>::new(),
        "`expect 晚` still holds"
    );
    assert_eq!(s.request("shutdown", json!(null)), json!(null));
    assert_eq!(s.exit_code(), 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn exit_without_shutdown_is_code_1() {
    let mut s = Session::start();
    s.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(s.exit_code(), 1);
}

fn url_of(path: &std::path::Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_str().unwrap().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(byte as char)
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

/// One malformed body (with a right Content-Length) gets a -32700 reply,
/// JSON that is not a JSON-RPC message a -32600 reply; the server carries
/// on with the next message.
#[test]
fn a_malformed_message_gets_a_parse_error_and_the_session_goes_on() {
    let mut s = Session::start();
    s.request(
        "initialize",
        json!({ "capabilities": {}, "processId": null, "rootUri": null }),
    );
    s.notify("initialized", json!({}));
    let garbage = b"{garbage!}";
    write!(s.stdin, "Content-Length: {}\r\n\r\n", garbage.len()).unwrap();
    s.stdin.write_all(garbage).unwrap();
    s.stdin.flush().unwrap();
    let reply = s.wait_for("a parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(reply["id"], Value::Null);
    // JSON that is not a JSON-RPC message is an invalid request, answered
    // the same way, the session going on after each.
    for body in ["{}", "42", "[]", r#"{"jsonrpc":"1.0","id":5,"method":"x"}"#] {
        write!(s.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        s.stdin.flush().unwrap();
        let reply = s.wait_for("an invalid request", |m| m["error"]["code"] == -32600);
        assert_eq!(
            reply["id"],
            if body.contains("\"id\":5") {
                json!(5)
            } else {
                Value::Null
            },
            "{body}"
        );
    }
    // Still serving: a request after the garbage is answered.
    let uri = "untitled:after.augur";
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "augur", "version": 1, "text": "# 注释\r\nenum S { a }\r\n" } }),
    );
    let tokens = s.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    // The comment token is `# 注释`: 4 UTF-16 units, without the `\r`.
    let data = tokens["data"].as_array().unwrap();
    assert_eq!(data[2], json!(4), "{data:?}");
    assert_eq!(s.request("shutdown", json!(null)), json!(null));
    assert_eq!(s.exit_code(), 0);
}
