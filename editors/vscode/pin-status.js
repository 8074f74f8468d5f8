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

module.exports = { statusText };
