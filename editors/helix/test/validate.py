#!/usr/bin/env python3
"""Validates editors/helix/languages.toml against the shape Helix (23.10+) expects.

Helix itself is not installable on this machine (not in Debian 12's packages and
no network beyond package registries), so this checks the structure instead:
the keys Helix reads, their types, and that the server it names exists and is
`augur lsp`. With an `augur` binary given, also checks that the command starts
and answers `initialize` over stdio the way Helix would call it.
Usage: validate.py [path/to/augur]
"""
import json
import pathlib
import subprocess
import sys
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
CONFIG = HERE.parent / "languages.toml"

# Keys a [[language]] entry may have in Helix's languages.toml (helix-core LanguageConfiguration).
LANGUAGE_KEYS = {
    "name", "scope", "injection-regex", "file-types", "shebangs", "roots", "comment-token",
    "comment-tokens", "block-comment-tokens", "indent", "language-servers", "auto-format",
    "formatter", "diagnostic-severity", "grammar", "text-width", "soft-wrap", "auto-pairs",
    "rulers", "workspace-lsp-roots", "persistent-diagnostic-sources", "debugger", "language-id",
}
SERVER_KEYS = {"command", "args", "config", "timeout", "environment", "required-root-patterns"}


def fail(msg):
    print(f"helix config: FAIL {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    langs = data.get("language")
    if not isinstance(langs, list) or len(langs) != 1:
        fail("expected exactly one [[language]] table")
    lang = langs[0]
    unknown = set(lang) - LANGUAGE_KEYS
    if unknown:
        fail(f"unknown [[language]] keys: {sorted(unknown)}")
    expect = {"name": "augur", "scope": "source.augur", "comment-token": "#"}
    for key, value in expect.items():
        if lang.get(key) != value:
            fail(f"{key} should be {value!r}, is {lang.get(key)!r}")
    if lang.get("file-types") != ["augur"]:
        fail("file-types should be ['augur']")
    if not all(isinstance(r, str) for r in lang.get("roots", [])):
        fail("roots must be strings")
    indent = lang.get("indent", {})
    if not isinstance(indent.get("tab-width"), int) or not isinstance(indent.get("unit"), str):
        fail("indent needs tab-width (int) and unit (string)")
    servers = data.get("language-server", {})
    for name in lang.get("language-servers", []):
        if name not in servers:
            fail(f"language-servers names {name!r}, which has no [language-server.{name}] table")
    server = servers.get("augur", {})
    unknown = set(server) - SERVER_KEYS
    if unknown:
        fail(f"unknown [language-server.augur] keys: {sorted(unknown)}")
    if server.get("command") != "augur" or server.get("args") != ["lsp"]:
        fail("the server must be `augur lsp`")
    print("helix config: structure ok")

    if len(sys.argv) > 1:
        check_server([sys.argv[1], *server["args"]])


def send(proc, message):
    data = json.dumps(message).encode("utf-8")
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
    proc.stdin.flush()


def receive(proc):
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            fail("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        fail("a message without Content-Length")
    return json.loads(proc.stdout.read(length))


def check_server(cmd):
    """Starts the command the way Helix does and runs initialize/shutdown/exit."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        reply = receive(proc)
        if "capabilities" not in reply.get("result", {}):
            fail(f"`{' '.join(cmd)}` did not answer initialize: {reply}")
        send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        while receive(proc).get("id") != 2:
            pass
        send(proc, {"jsonrpc": "2.0", "method": "exit", "params": None})
        if proc.wait(timeout=10) != 0:
            fail(f"the server exited with {proc.returncode} after shutdown/exit")
    finally:
        if proc.poll() is None:
            proc.kill()
    print("helix config: `augur lsp` answers initialize and shuts down cleanly")

if __name__ == "__main__":
    main()
