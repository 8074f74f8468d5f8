// Activates extension.js with a stand-in for the `vscode` module (VS Code itself
// cannot run here) to check the one path that needs no server: a missing
// program gives a clear error that names it and offers the setting.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const Module = require("module");

function fakeVscode(settings, shown) {
  const disposable = { dispose() {} };
  // vscode-languageclient subclasses a few vscode classes when it is loaded;
  // any name not given below is an empty class.
  const stub = {
    workspace: {
      getConfiguration: () => ({ get: (key) => settings[key] }),
      onDidChangeConfiguration: () => disposable,
      createFileSystemWatcher: () => disposable,
    },
    window: {
      showErrorMessage: async (msg, ...items) => {
        shown.push({ msg, items });
        return undefined;
      },
      createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
      onDidChangeActiveTextEditor: () => disposable,
      activeTextEditor: undefined,
    },
    commands: { registerCommand: () => disposable, executeCommand: async () => undefined },
  };
  const classes = new Map();
  return new Proxy(stub, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (!classes.has(prop)) classes.set(prop, class {});
      return classes.get(prop);
    },
  });
}

async function missingProgram(entry) {
  const shown = [];
  const vscode = fakeVscode({ "server.path": "/nowhere/augur-missing", "server.args": ["lsp"] }, shown);
  const originalLoad = Module._load;
  Module._load = function (request, ...rest) {
    if (request === "vscode") return vscode;
    return originalLoad.call(this, request, ...rest);
  };
  try {
    delete require.cache[require.resolve(entry)];
    const ext = require(entry);
    await ext.activate({ subscriptions: [] });
    assert.equal(shown.length, 1);
    assert.match(shown[0].msg, /cannot find the program "\/nowhere\/augur-missing"/);
    assert.match(shown[0].msg, /augur\.server\.path/);
    assert.deepEqual(shown[0].items, ["Open settings"]);
    await ext.deactivate();
  } finally {
    Module._load = originalLoad;
  }
}

test("a missing augur program gives a clear error naming it", () => missingProgram("../extension"));

// The bundle is what the package ships (package.json "main"); `npm test`
// builds it first (pretest).
test("the esbuild bundle activates the same way", () => missingProgram("../dist/extension.js"));
