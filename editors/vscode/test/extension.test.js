// Checks of the extension that need no VS Code: the manifest contributes what
// the language needs, and the server command is found (or clearly not found).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { serverCommand } = require("../server-command");

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
