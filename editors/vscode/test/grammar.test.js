// Tokenizes sample playbooks with the engine VS Code itself uses
// (vscode-textmate + vscode-oniguruma) and compares the token scopes with
// snapshots committed under test/snapshots/. Run `node test/grammar.test.js --update`
// (or `npm run test:update`) to rewrite the snapshots after a deliberate change.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const HERE = __dirname;
const REPO = path.resolve(HERE, "..", "..", "..");
const GRAMMAR = path.resolve(HERE, "..", "syntaxes", "augur.tmLanguage.json");
const SNAPSHOTS = path.join(HERE, "snapshots");
const UPDATE = process.argv.includes("--update") || process.env.UPDATE_SNAPSHOTS === "1";

const SAMPLES = [
  path.join(REPO, "examples", "standing.augur"),
  path.join(REPO, "examples", "standing.zh.augur"),
  ...fs
    .readdirSync(path.join(HERE, "samples"))
    .filter((f) => f.endsWith(".augur"))
    .sort()
    .map((f) => path.join(HERE, "samples", f)),
];

let grammarPromise;
function loadGrammar() {
  if (!grammarPromise) {
    const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
    const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }));
    const registry = new vsctm.Registry({
      onigLib,
      loadGrammar: async (scopeName) => {
        if (scopeName !== "source.augur") return null;
        return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR);
      },
    });
    grammarPromise = registry.loadGrammar("source.augur");
  }
  return grammarPromise;
}

/** Every token of `text`: line number, text and scopes (without the root scope). */
async function tokenize(text) {
  const grammar = await loadGrammar();
  let state = vsctm.INITIAL;
  const out = [];
  text.replace(/\r\n/g, "\n").split("\n").forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const tokText = line.substring(t.startIndex, t.endIndex);
      out.push({ line: i + 1, text: tokText, scopes: t.scopes.slice(1) });
    }
    state = r.ruleStack;
  });
  return out;
}

/** The snapshot text: one token a line, whitespace-only tokens left out. */
function render(tokens) {
  const lines = [];
  for (const t of tokens) {
    if (t.text.trim() === "") continue;
    lines.push(`${t.line}: ${JSON.stringify(t.text)} ${t.scopes.join(" ") || "-"}`);
  }
  return lines.join("\n") + "\n";
}

for (const sample of SAMPLES) {
  const name = path.basename(sample, ".augur");
  test(`snapshot: ${path.relative(REPO, sample)}`, async () => {
    const actual = render(await tokenize(fs.readFileSync(sample, "utf8")));
    const snap = path.join(SNAPSHOTS, `${name}.tokens`);
    if (UPDATE || !fs.existsSync(snap)) {
      fs.mkdirSync(SNAPSHOTS, { recursive: true });
      fs.writeFileSync(snap, actual);
      if (!UPDATE) assert.fail(`no snapshot yet; wrote ${snap} — review and commit it`);
      return;
    }
    assert.equal(actual, fs.readFileSync(snap, "utf8"), `token scopes of ${name} changed; review the diff, then run with --update`);
  });
}

/** The scopes of the first token whose text is `text` (after `after` on that line, if given). */
async function scopesOf(source, text, lineNo) {
  const tokens = await tokenize(source);
  const hit = tokens.find((t) => t.text === text && (lineNo === undefined || t.line === lineNo));
  assert.ok(hit, `no token ${JSON.stringify(text)} in ${JSON.stringify(source)}`);
  return hit.scopes;
}

test("key scopes", async () => {
  const src = [
    'playbook "Scope {x}" version "1.0"',
    "# 注释 comment",
    'signal 问题很少 "问题很少" {',
    "  when 距决策天数 > 30 and stage == early",
    '  message "还有 {距决策天数} 天"',
    "  weight -2",
    "}",
    "let d = 2026-11-20",
  ].join("\n");
  assert.ok((await scopesOf(src, "playbook")).includes("keyword.other.item.augur"));
  assert.ok((await scopesOf(src, "when")).includes("keyword.control.augur"));
  assert.ok((await scopesOf(src, "and")).includes("keyword.operator.logical.augur"));
  assert.ok((await scopesOf(src, " 注释 comment")).includes("comment.line.number-sign.augur"));
  // A plain string keeps its braces as text: one string token, no interpolation.
  assert.deepEqual(await scopesOf(src, "Scope {x}"), ["string.quoted.double.plain.augur"]);
  // Chinese identifiers: a signal name, and a fact used inside an interpolation.
  assert.ok((await scopesOf(src, "问题很少", 3)).includes("entity.name.function.signal.augur"));
  assert.ok((await scopesOf(src, "距决策天数", 4)).includes("variable.other.augur"));
  const interp = await scopesOf(src, "距决策天数", 5);
  assert.ok(interp.includes("string.quoted.double.augur") && interp.includes("meta.interpolation.augur") && interp.includes("variable.other.augur"), interp.join(" "));
  assert.ok((await scopesOf(src, "-2")).includes("constant.numeric.integer.augur"));
  assert.ok((await scopesOf(src, "2026-11-20")).includes("constant.numeric.date.augur"));
});

test("a comment sign inside a string is text", async () => {
  const scopes = await scopesOf('let x = "a # b"', "a # b");
  assert.ok(scopes.includes("string.quoted.double.augur"));
  assert.ok(!scopes.some((s) => s.startsWith("comment")));
});

test("an unclosed block stops at the next item, like the parser's recovery", async () => {
  const tokens = await tokenize("enum A { x, y\nsignal s {\n}\n");
  const s = tokens.find((t) => t.line === 2 && t.text === "signal");
  assert.ok(s.scopes.includes("keyword.other.item.augur"));
  assert.ok(!s.scopes.some((x) => x.startsWith("meta.block.enum")), s.scopes.join(" "));
});
