// The Augur extension for VS Code: starts the `augur lsp` language server for
// `.augur` files. All language knowledge lives in the server; this file only
// finds the program, starts it over stdio and reports clearly when it cannot.
// Syntax highlighting comes from syntaxes/augur.tmLanguage.json (no code here).
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");
const { serverCommand } = require("./server-command");

/** @type {LanguageClient | undefined} */
let client;

function settings() {
  const config = vscode.workspace.getConfiguration("augur");
  return serverCommand(config.get("server.path"), config.get("server.args"));
}

async function start(context) {
  const { command, args } = settings();
  const resolved = serverCommand.resolve(command);
  if (!resolved) {
    const choice = await vscode.window.showErrorMessage(
      `Augur: cannot find the program "${command}". Install augur (cargo install --path crates/augur-cli) ` +
        `or set "augur.server.path" to the full path of the augur program.`,
      "Open settings"
    );
    if (choice === "Open settings") {
      vscode.commands.executeCommand("workbench.action.openSettings", "augur.server.path");
    }
    return;
  }
  const run = { command: resolved, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "augur",
    "Augur",
    { run, debug: run },
    {
      documentSelector: [{ language: "augur" }],
      synchronize: {
        // Imported playbooks and deal files may change outside the editor.
        fileEvents: vscode.workspace.createFileSystemWatcher("**/*.augur"),
      },
    }
  );
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `Augur: the language server "${resolved} ${args.join(" ")}" did not start: ${err && err.message ? err.message : err}`
    );
  }
}

async function stop() {
  if (client) {
    const c = client;
    client = undefined;
    await c.stop();
  }
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("augur.restartServer", async () => {
      await stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("augur.server")) {
        await stop();
        await start(context);
      }
    })
  );
  return start(context);
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
