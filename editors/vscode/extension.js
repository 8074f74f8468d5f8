// The Augur extension for VS Code: starts the `augur lsp` language server for
// `.augur` files. All language knowledge lives in the server; this file only
// finds the program, starts it over stdio and reports clearly when it cannot,
// and shows the pinned deal (status bar item, "Pin deal…" file picker).
// Inlay hints and code lenses ("Pin", "▶ Run", the verdict's result) come from
// the server through vscode-languageclient; clicking a lens runs the server's
// own command (augur.pinTest, augur.runTest, …), registered by the client.
// Syntax highlighting comes from syntaxes/augur.tmLanguage.json (no code here).
// Bundled into dist/extension.js by esbuild (`npm run build`).
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");
const { serverCommand } = require("./server-command");
const { statusText, applyPinStatus, plainDisplayLenses } = require("./pin-status");

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.StatusBarItem | undefined} */
let statusItem;
/** The last pin status the server sent, per playbook URI. */
const pinned = new Map();

function settings() {
  const config = vscode.workspace.getConfiguration("augur");
  return serverCommand(config.get("server.path"), config.get("server.args"));
}

function activePlaybook() {
  const editor = vscode.window.activeTextEditor;
  return editor && editor.document.languageId === "augur" ? editor.document : undefined;
}

/** Shows the active playbook's pinned deal (name + verdict) in the status bar. */
function showStatus() {
  if (!statusItem) return;
  const doc = activePlaybook();
  if (!doc) {
    statusItem.hide();
    return;
  }
  const shown = statusText(pinned.get(doc.uri.toString()));
  statusItem.text = shown.text;
  statusItem.tooltip = shown.tooltip;
  statusItem.show();
}

async function askStatus() {
  const doc = activePlaybook();
  if (!client || !doc) return showStatus();
  try {
    const status = await client.sendRequest("workspace/executeCommand", {
      command: "augur.pinStatus",
      arguments: [{ uri: doc.uri.toString() }],
    });
    pinned.set(doc.uri.toString(), status || undefined);
  } catch {
    // The server may still be starting; its next notification will do.
  }
  showStatus();
}

/** "Augur: Pin deal…": pick a deal file (inside the playbook's folder). */
async function pinDealPicker() {
  const doc = activePlaybook();
  if (!client || !doc) {
    vscode.window.showInformationMessage("Augur: open a playbook (.augur) first, then pin a deal to it.");
    return;
  }
  const folder = vscode.Uri.joinPath(doc.uri, "..");
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: folder,
    filters: { "Deal (JSON)": ["json"] },
    openLabel: "Pin deal",
  });
  if (!picked || picked.length === 0) return;
  try {
    const status = await client.sendRequest("workspace/executeCommand", {
      command: "augur.pinDeal",
      arguments: [{ uri: doc.uri.toString(), path: picked[0].fsPath }],
    });
    pinned.set(doc.uri.toString(), status || undefined);
    showStatus();
  } catch (err) {
    vscode.window.showErrorMessage(`Augur: ${err && err.message ? err.message : err}`);
  }
}

async function unpin() {
  const doc = activePlaybook();
  if (!client || !doc) return;
  await client.sendRequest("workspace/executeCommand", {
    command: "augur.unpin",
    arguments: [{ uri: doc.uri.toString() }],
  });
  pinned.delete(doc.uri.toString());
  showStatus();
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
  const sampleDeal = vscode.workspace.getConfiguration("augur").get("sampleDeal");
  client = new LanguageClient(
    "augur",
    "Augur",
    { run, debug: run },
    {
      documentSelector: [{ language: "augur" }],
      // The status bar shows the pin: no pin lens at the top of the file.
      initializationOptions: { pinStatusBar: true, sampleDeal: sampleDeal || null },
      middleware: {
        // Display-only lenses as plain text (see pin-status.js).
        provideCodeLenses: async (document, token, next) => plainDisplayLenses(await next(document, token)),
      },
      synchronize: {
        // Imported playbooks and deal files (pinned, or a test's `given`) may
        // change outside the editor.
        fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{augur,json}"),
        configurationSection: "augur",
      },
    }
  );
  try {
    await client.start();
    client.onNotification("augur/pinStatus", (status) => {
      // `name: null`: nothing is pinned any more (unpinned from a lens).
      applyPinStatus(pinned, status);
      showStatus();
    });
    askStatus();
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
  statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  statusItem.command = "augur.pinDealPicker";
  context.subscriptions.push(
    statusItem,
    vscode.commands.registerCommand("augur.restartServer", async () => {
      await stop();
      await start(context);
    }),
    vscode.commands.registerCommand("augur.pinDealPicker", pinDealPicker),
    vscode.commands.registerCommand("augur.unpinDeal", unpin),
    vscode.window.onDidChangeActiveTextEditor(() => askStatus()),
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
