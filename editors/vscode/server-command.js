// How the extension finds the `augur` program: the settings with their
// defaults, and a PATH lookup so a missing program gives a clear message
// instead of a cryptic spawn error. Kept free of the `vscode` module so it
// can be tested with plain Node.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");

function serverCommand(configuredPath, configuredArgs) {
  let command = typeof configuredPath === "string" ? configuredPath.trim() : "";
  if (command === "") command = "augur";
  if (command.startsWith("~")) command = path.join(os.homedir(), command.slice(1));
  const args = Array.isArray(configuredArgs) && configuredArgs.length > 0 ? configuredArgs.map(String) : ["lsp"];
  return { command, args };
}

function isExecutable(file) {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The full path of `command` (a path, or a name looked up on PATH), or undefined. */
serverCommand.resolve = function resolve(command, env = process.env) {
  const exts = process.platform === "win32" ? (env.PATHEXT || ".EXE;.CMD;.BAT").split(";").concat([""]) : [""];
  if (command.includes("/") || command.includes("\\")) {
    for (const ext of exts) if (isExecutable(command + ext)) return path.resolve(command + ext);
    return undefined;
  }
  for (const dir of (env.PATH || "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
};

module.exports = { serverCommand };
