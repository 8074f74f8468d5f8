// What the status bar item says about a playbook's pinned deal, from the
// server's `augur/pinStatus` notification (or the `augur.pinStatus` command's
// answer). Kept free of the `vscode` module so it can be tested with plain Node.
"use strict";

/**
 * @param {{name: string, status: string, ok?: boolean} | undefined | null} pin
 * @returns {{text: string, tooltip: string}}
 */
function statusText(pin) {
  if (!pin || !pin.name) {
    return {
      text: "$(pin) Pin a deal…",
      tooltip: "Augur: no deal pinned. Click to pick a deal file, or click “Pin” above a test.",
    };
  }
  const status = String(pin.status || "");
  // The verdict's arm label comes first ("Backup · score −3 · …").
  const verdict = status.split(" · ")[0];
  return {
    text: `$(pin) ${pin.name}: ${verdict}`,
    tooltip: `Augur: pinned ${pin.name} — ${status}. Click to pin another deal file.`,
  };
}

/**
 * Applies an `augur/pinStatus` notification to the per-playbook map: a
 * status with a name replaces the entry, one without (`name: null`, sent
 * after an unpin from a lens or a command) removes it.
 * @param {Map<string, object>} pinned
 * @param {{uri?: string, name?: string | null} | undefined | null} status
 */
function applyPinStatus(pinned, status) {
  if (!status || !status.uri) return;
  if (status.name) pinned.set(status.uri, status);
  else pinned.delete(status.uri);
}

/**
 * The server gives its display-only lenses (the verdict's result, "No deal
 * pinned") the harmless `augur.pinStatus` command, so that every editor can
 * run them. VS Code shows a lens whose command id is empty as plain text,
 * not as a link that seems to do nothing: this turns them into that.
 * @param {Array<{command?: {title: string, command: string, arguments?: unknown[]}}> | null | undefined} lenses
 */
function plainDisplayLenses(lenses) {
  if (!Array.isArray(lenses)) return lenses;
  for (const lens of lenses) {
    if (lens && lens.command && lens.command.command === "augur.pinStatus") {
      lens.command = { title: lens.command.title, command: "" };
    }
  }
  return lenses;
}

module.exports = { statusText, applyPinStatus, plainDisplayLenses };
