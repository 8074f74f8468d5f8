// Checks of the extension that need no VS Code: the manifest contributes what
// the language needs, and the server command is found (or clearly not found).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { serverCommand } = require("../server-command");
const { statusText, applyPinStatus, plainDisplayLenses } = require("../pin-status");

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));

test("manifest: language, grammar and settings", () => {
  const lang = pkg.contributes.languages.find((l) => l.id === "augur");
  assert.deepEqual(lang.extensions, [".augur"]);
  assert.equal(pkg.contributes.grammars[0].scopeName, "source.augur");
  const props = pkg.contributes.configuration.properties;
  assert.equal(props["augur.server.path"].default, "augur");
  assert.deepEqual(props["augur.server.args"].default, ["lsp"]);
  const conf = JSON.parse(fs.readFileSync(path.join(__dirname, "..", lang.configuration), "utf8"));
  assert.equal(conf.comments.lineComment, "#");
  assert.ok(conf.autoClosingPairs.some((p) => p.open === '"'));
});

test("settings: defaults and trimming", () => {
  assert.deepEqual(serverCommand(undefined, undefined), { command: "augur", args: ["lsp"] });
  assert.deepEqual(serverCommand("  /opt/augur  ", ["lsp", "--log"]), { command: "/opt/augur", args: ["lsp", "--log"] });
  assert.deepEqual(serverCommand("", []), { command: "augur", args: ["lsp"] });
});

test("resolve: found on PATH, by path, and clearly missing", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "augur-ext-"));
  const exe = path.join(dir, "augur");
  fs.writeFileSync(exe, "#!/bin/sh\n");
  fs.chmodSync(exe, 0o755);
  assert.equal(serverCommand.resolve("augur", { PATH: dir }), exe);
  assert.equal(serverCommand.resolve(exe, { PATH: "" }), exe);
  assert.equal(serverCommand.resolve("augur", { PATH: os.tmpdir() + "/does-not-exist" }), undefined);
  assert.equal(serverCommand.resolve(path.join(dir, "nope"), { PATH: dir }), undefined);
  fs.rmSync(dir, { recursive: true });
});

test("manifest: bundled entry point, pin commands and the sample deal setting", () => {
  assert.equal(pkg.main, "./dist/extension.js");
  assert.ok(fs.existsSync(path.join(__dirname, "..", pkg.main)), "npm run build makes the bundle");
  const commands = pkg.contributes.commands.map((c) => c.command);
  for (const c of ["augur.restartServer", "augur.pinDealPicker", "augur.unpinDeal"]) assert.ok(commands.includes(c), c);
  // The server's own commands are registered by vscode-languageclient.
  assert.ok(!commands.includes("augur.pinDeal"));
  assert.equal(pkg.contributes.configuration.properties["augur.sampleDeal"].default, null);
  assert.ok(!pkg.dependencies, "everything runtime is bundled");
  const ignored = fs.readFileSync(path.join(__dirname, "..", ".vscodeignore"), "utf8");
  assert.match(ignored, /^node_modules\/\*\*$/m);
});

test("status bar: the pinned deal's name and verdict", () => {
  assert.equal(statusText(undefined).text, "$(pin) Pin a deal…");
  assert.equal(statusText(null).text, "$(pin) Pin a deal…");
  const shown = statusText({ name: "案例一 𠮷", status: "Backup · score −3 · 1 question decides it" });
  assert.equal(shown.text, "$(pin) 案例一 𠮷: Backup");
  assert.match(shown.tooltip, /score −3 · 1 question decides it/);
});

test("status bar: a pinStatus without a name (after an unpin) clears the entry", () => {
  const pinned = new Map();
  const uri = "file:///w/%E7%AB%8B%E5%9C%BA.augur";
  applyPinStatus(pinned, { uri, name: "案例一 𠮷", status: "Backup · score 0" });
  assert.equal(statusText(pinned.get(uri)).text, "$(pin) 案例一 𠮷: Backup");
  applyPinStatus(pinned, { uri: "file:///w/other.augur", name: "d.json", status: "Go" });
  applyPinStatus(pinned, { uri, name: null, status: null });
  assert.equal(pinned.has(uri), false);
  assert.equal(statusText(pinned.get(uri)).text, "$(pin) Pin a deal…");
  assert.equal(pinned.size, 1, "other playbooks keep theirs");
  applyPinStatus(pinned, null);
  applyPinStatus(pinned, { name: "no uri" });
  assert.equal(pinned.size, 1);
});

test("code lenses: display-only lenses become plain text, the others stay commands", () => {
  const lenses = plainDisplayLenses([
    { command: { title: "Backup · score −3 · pinned: 例", command: "augur.pinStatus", arguments: [{ uri: "u" }] } },
    { command: { title: "▶ Run", command: "augur.runTest", arguments: [{ uri: "u", test: "例" }] } },
    {},
  ]);
  assert.deepEqual(lenses[0].command, { title: "Backup · score −3 · pinned: 例", command: "" });
  assert.equal(lenses[1].command.command, "augur.runTest");
  assert.equal(plainDisplayLenses(null), null);
});
