// Speaks to the real `augur lsp` through vscode-jsonrpc, the transport
// vscode-languageclient uses, announcing the capabilities VS Code announces
// (UTF-16 positions only, markdown hover, snippet completion). Positions are
// computed with JavaScript string indices, which are UTF-16 like VS Code's.
// The server binary: $AUGUR, else target/debug/augur; skipped (loudly) if none.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");
const rpc = require("vscode-jsonrpc/node");

const REPO = path.resolve(__dirname, "..", "..", "..");
const candidates = [
  process.env.AUGUR,
  path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, "target"), "debug", "augur"),
].filter(Boolean);
const AUGUR = candidates.find((p) => fs.existsSync(p));
if (!AUGUR) console.error("!!! server.test.js SKIPPED: no augur binary (set AUGUR=path/to/augur)");

const TEXT = [
  'playbook "😀 测试"',
  "facts {",
  '  预算: number? "今年的预算"',
  "}",
  'let 说明 = "😀 预算 {预算} 元"',
  'let 错 = len("😀测试") + 未知的',
  "",
].join("\n");
const URI = "file:///tmp/augur-vscode-test/%E6%B5%8B%E8%AF%95.augur";

function positionOf(needle) {
  const lines = TEXT.split("\n");
  for (let line = 0; line < lines.length; line++) {
    const character = lines[line].indexOf(needle);
    if (character >= 0) return { line, character };
  }
  throw new Error(`no ${needle}`);
}

test("VS Code-like session: utf-16, diagnostics after emoji and CJK, hover, completion", { skip: !AUGUR }, async () => {
  const proc = spawn(AUGUR, ["lsp"], { stdio: ["pipe", "pipe", "inherit"] });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const diagnostics = new Promise((resolve) => {
    conn.onNotification("textDocument/publishDiagnostics", (p) => {
      if (p.uri === URI && p.diagnostics.length > 0) resolve(p.diagnostics);
    });
  });
  conn.listen();
  try {
    const init = await conn.sendRequest("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        general: { positionEncodings: ["utf-16"] },
        textDocument: {
          synchronization: { dynamicRegistration: true, didSave: true },
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
          hover: { contentFormat: ["markdown", "plaintext"] },
          completion: { completionItem: { snippetSupport: true } },
        },
      },
    });
    assert.equal(init.capabilities.positionEncoding || "utf-16", "utf-16");
    conn.sendNotification("initialized", {});
    conn.sendNotification("textDocument/didOpen", { textDocument: { uri: URI, languageId: "augur", version: 1, text: TEXT } });

    const diags = await diagnostics;
    const unknown = diags.find((d) => d.code === "augur::unknown-name");
    assert.ok(unknown, JSON.stringify(diags));
    // After `len("😀测试") + ` — the emoji counts two UTF-16 units.
    assert.deepEqual(unknown.range.start, positionOf("未知的"));
    assert.deepEqual(unknown.range.end, { line: 5, character: positionOf("未知的").character + 3 });

    // Hover the fact inside an interpolation, after an emoji and Chinese text.
    const at = positionOf("{预算}");
    const hover = await conn.sendRequest("textDocument/hover", { textDocument: { uri: URI }, position: { line: at.line, character: at.character + 2 } });
    const value = hover && hover.contents && (hover.contents.value || hover.contents);
    assert.match(String(value), /fact 预算: number\?/);
    assert.match(String(value), /今年的预算/);

    const done = positionOf("未知的");
    const completion = await conn.sendRequest("textDocument/completion", { textDocument: { uri: URI }, position: done });
    const items = Array.isArray(completion) ? completion : (completion && completion.items) || [];
    assert.ok(items.some((i) => i.label === "预算"), items.map((i) => i.label).join(" "));

    await conn.sendRequest("shutdown");
    conn.sendNotification("exit");
    const code = await new Promise((resolve) => proc.on("exit", resolve));
    assert.equal(code, 0);
  } finally {
    conn.dispose();
    if (proc.exitCode === null) proc.kill();
  }
});

const LIVE = [
  "facts { 阶段: int }",
  'signal 晚 "😀" { when 阶段 > 1 weight 2 }',
  'verdict v { 好 "好" when score > 1 差 "差" otherwise }',
  'test "例 𠮷" {',
  "  given { 阶段 = 3 }",
  "  expect 晚",
  "}",
  "",
].join("\n");
const LIVE_URI = "file:///tmp/augur-vscode-test/live.augur";

test("VS Code-like session: pin a test, inlay hints and code lenses", { skip: !AUGUR }, async () => {
  const proc = spawn(AUGUR, ["lsp"], { stdio: ["pipe", "pipe", "inherit"] });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const refreshed = new Promise((resolve) => conn.onRequest("workspace/inlayHint/refresh", () => (resolve(true), null)));
  conn.onRequest("workspace/codeLens/refresh", () => null);
  // Every augur/pinStatus, in order; `statusWhere` waits for one that matches.
  const statuses = [];
  const waiting = [];
  conn.onNotification("augur/pinStatus", (p) => {
    statuses.push(p);
    for (const w of waiting.splice(0)) if (!w(p)) waiting.push(w);
  });
  const statusWhere = (match) =>
    new Promise((resolve, reject) => {
      const seen = statuses.find(match);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no such augur/pinStatus in 10 s; got ${JSON.stringify(statuses)}`)), 10000);
      waiting.push((p) => (match(p) ? (clearTimeout(timer), resolve(p), true) : false));
    });
  conn.listen();
  try {
    const init = await conn.sendRequest("initialize", {
      processId: process.pid,
      rootUri: null,
      initializationOptions: { pinStatusBar: true },
      capabilities: {
        general: { positionEncodings: ["utf-16"] },
        workspace: { inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } },
        textDocument: { inlayHint: { dynamicRegistration: true }, codeLens: { dynamicRegistration: true } },
      },
    });
    assert.equal(init.capabilities.inlayHintProvider, true);
    assert.ok(init.capabilities.executeCommandProvider.commands.includes("augur.pinTest"));
    conn.sendNotification("initialized", {});
    conn.sendNotification("textDocument/didOpen", { textDocument: { uri: LIVE_URI, languageId: "augur", version: 1, text: LIVE } });

    // The lenses a playbook shows before anything is pinned (no pin lens:
    // the status bar shows the pin in VS Code).
    const lenses = await conn.sendRequest("textDocument/codeLens", { textDocument: { uri: LIVE_URI } });
    const titles = lenses.map((l) => l.command.title);
    assert.deepEqual(titles, ["▶ Run all tests (1)", "Pin", "▶ Run"]);
    const pinLens = lenses[1].command;
    assert.equal(pinLens.command, "augur.pinTest");

    // Clicking "Pin" runs the server's command with the lens's arguments.
    const pinned = await conn.sendRequest("workspace/executeCommand", { command: pinLens.command, arguments: pinLens.arguments });
    assert.equal(pinned.status, "好 · score +2");
    assert.equal(await refreshed, true);
    const hints = await conn.sendRequest("textDocument/inlayHint", {
      textDocument: { uri: LIVE_URI },
      range: { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } },
    });
    const signal = hints.find((h) => h.label === "✓ +2");
    assert.deepEqual(signal.position, { line: 1, character: "signal 晚".length });
    const after = await conn.sendRequest("textDocument/codeLens", { textDocument: { uri: LIVE_URI } });
    const verdictLens = after.find((l) => l.command.title === "好 · score +2 · pinned: 例 𠮷");
    assert.ok(verdictLens, JSON.stringify(after));
    // Display only: the harmless status query (plain text in VS Code).
    assert.equal(verdictLens.command.command, "augur.pinStatus");
    conn.sendNotification("textDocument/didChange", {
      textDocument: { uri: LIVE_URI, version: 2 },
      contentChanges: [{ text: LIVE.replace("weight 2", "weight 5") }],
    });
    // The status sent after the edit (not the one sent by the pin).
    const notified = await statusWhere((p) => String(p.status).includes("score +5"));
    assert.equal(notified.uri, LIVE_URI);
    assert.equal(notified.name, "例 𠮷");
    assert.equal(notified.status, "好 · score +5");

    // Unpinned from the lens (the server's command, not the extension's):
    // the status bar is told, with no name.
    const pinnedLens = (await conn.sendRequest("textDocument/codeLens", { textDocument: { uri: LIVE_URI } })).find(
      (l) => l.command.command === "augur.unpin"
    );
    assert.ok(pinnedLens);
    await conn.sendRequest("workspace/executeCommand", { command: pinnedLens.command.command, arguments: pinnedLens.command.arguments });
    const cleared = await statusWhere((p) => p.uri === LIVE_URI && p.name === null);
    assert.equal(cleared.status, null);

    await conn.sendRequest("shutdown");
    conn.sendNotification("exit");
    const code = await new Promise((resolve) => proc.on("exit", resolve));
    assert.equal(code, 0);
  } finally {
    conn.dispose();
    if (proc.exitCode === null) proc.kill();
  }
});
