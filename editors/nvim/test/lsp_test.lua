-- Headless Neovim against the real `augur lsp`: open a playbook with an error,
-- wait for the diagnostics, then hover a Chinese fact name after Chinese text
-- on the same line (so a UTF-16 column mistake shows). Exits non-zero on failure.
-- Run through test/run.sh, which sets the runtime path and the server.
local failures = 0
local function log(msg)
  io.stderr:write(msg .. "\n")
end
local function check(ok, what)
  if ok then
    log("ok   " .. what)
  else
    failures = failures + 1
    log("FAIL " .. what)
  end
end
local function finish()
  log(failures == 0 and "nvim lsp test: all passed" or ("nvim lsp test: " .. failures .. " failure(s)"))
  vim.cmd(failures == 0 and "qall!" or "cquit! 1")
end

local ok, err = pcall(function()
  local playbook = os.getenv("AUGUR_TEST_PLAYBOOK")
  vim.cmd("edit " .. vim.fn.fnameescape(playbook))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == "augur", "filetype detected as augur (got '" .. vim.bo[buf].filetype .. "')")
  check(vim.bo[buf].commentstring == "# %s", "commentstring from ftplugin")
  local function syn(l, c)
    return vim.fn.synIDattr(vim.fn.synID(l, c, 1), "name")
  end
  check(syn(1, 1) == "augurItem", "syntax: `playbook` is augurItem (got '" .. syn(1, 1) .. "')")
  check(syn(1, 11) == "augurString", "syntax: the title is augurString (got '" .. syn(1, 11) .. "')")
  check(syn(4, 3) ~= "augurItem", "syntax: the Chinese fact name is not a keyword")

  -- The ftplugin started the server; wait for it to attach and report.
  local attached = vim.wait(10000, function()
    return next(vim.lsp.buf_get_clients(buf)) ~= nil
  end, 50)
  check(attached, "augur lsp attached to the buffer")

  local diags = {}
  vim.wait(15000, function()
    diags = vim.diagnostic.get(buf)
    return #diags > 0
  end, 50)
  check(#diags > 0, "diagnostics arrived (" .. #diags .. ")")
  local found
  for _, d in ipairs(diags) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    log("     diagnostic line " .. (d.lnum + 1) .. " [" .. tostring(code) .. "] " .. d.message)
    if code == "augur::unknown-name" and d.message:find("阶段x", 1, true) then
      found = d
    end
  end
  check(found ~= nil, "an augur::unknown-name diagnostic naming 阶段x")
  if found then
    check(found.lnum == 12, "it is on line 13 (got " .. (found.lnum + 1) .. ")")
    check(found.message:find("did you mean `阶段`", 1, true) ~= nil, "its help suggests 阶段")
    -- The server sends UTF-16 columns; Neovim turns them into byte columns. After
    -- Chinese text and an emoji (two UTF-16 units, four bytes) they must still
    -- land on `阶段x`.
    local text13 = vim.api.nvim_buf_get_lines(buf, 12, 13, false)[1]
    local want = text13:find("阶段x", 1, true) - 1
    check(found.col == want, "its byte column is " .. want .. " (got " .. found.col .. ")")
    check(found.end_col == want + #"阶段x", "it ends after 阶段x (got " .. tostring(found.end_col) .. ")")
  end

  -- Hover `预算` in: "  when 阶段 == early and 预算 > 10"
  local lnum = 8
  local line = vim.api.nvim_buf_get_lines(buf, lnum, lnum + 1, false)[1]
  local byte = line:find("预算", 1, true)
  local character = vim.str_utfindex(line, byte - 1) + 1 -- inside the name
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = lnum, character = character },
  }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 10000) or {}
  local text = ""
  for _, resp in pairs(responses) do
    local contents = resp.result and resp.result.contents
    if type(contents) == "table" then
      text = text .. (contents.value or vim.inspect(contents))
    elseif type(contents) == "string" then
      text = text .. contents
    end
  end
  log("     hover: " .. text:gsub("\n", " | "))
  check(text:find("预算", 1, true) ~= nil, "hover names the fact 预算")
  check(text:find("number", 1, true) ~= nil, "hover shows its type")
  check(text:find("今年的预算", 1, true) ~= nil, "hover shows its doc string")

  -- Fix the error: the diagnostics must go away.
  vim.api.nvim_buf_set_lines(buf, 12, 13, false, { "  when 阶段 == late" })
  local cleared = vim.wait(15000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.severity == vim.diagnostic.severity.ERROR then
        return false
      end
    end
    return true
  end, 50)
  check(found ~= nil and cleared, "errors cleared after the fix")

  -- Run the display-only lens `📌 No deal pinned` (line 1, beside `▶ Run all
  -- tests`) through Neovim's own codelens.run(): it must run quietly, not
  -- warn that the server "does not support command".
  -- The lenses go through Neovim's own handler (what codelens.refresh() does
  -- with the answer), so that codelens.run() knows them.
  for client_id, resp in pairs(vim.lsp.buf_request_sync(buf, "textDocument/codeLens",
    { textDocument = { uri = vim.uri_from_bufnr(buf) } }, 10000) or {}) do
    vim.lsp.codelens.on_codelens(resp.err, resp.result, { bufnr = buf, client_id = client_id })
  end
  local display_lens
  for _, lens in ipairs(vim.lsp.codelens.get(buf) or {}) do
    if lens.command and lens.command.title:find("No deal pinned", 1, true) then
      display_lens = lens
    end
  end
  check(display_lens ~= nil, "the `📌 No deal pinned` lens arrived")
  local notified = {}
  local notify, select = vim.notify, vim.ui.select
  vim.notify = function(msg, ...)
    table.insert(notified, tostring(msg))
    return notify(msg, ...)
  end
  vim.ui.select = function(items, _, on_choice)
    for i, item in ipairs(items) do
      if item.lens.command.title:find("No deal pinned", 1, true) then
        return on_choice(item, i)
      end
    end
    on_choice(nil, nil)
  end
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  pcall(vim.lsp.codelens.run)
  vim.wait(300)
  vim.notify, vim.ui.select = notify, select
  log("     ran the display lens; notices: " .. table.concat(notified, " | "))
  check(#notified == 0,
    "running a display-only lens gives no notice (such as 'does not support command')")

  -- Pin the test and read the inlay hints: after `signal 早期` (line 8) the
  -- signal fires, +2. The server speaks UTF-16: `signal 早期` is 9 units.
  local uri = vim.uri_from_bufnr(buf)
  local pinned = vim.lsp.buf_request_sync(buf, "workspace/executeCommand", {
    command = "augur.pinTest",
    arguments = { { uri = uri, test = "早期 𠮷" } },
  }, 10000) or {}
  local status
  for _, resp in pairs(pinned) do
    status = resp.result and resp.result.status
  end
  log("     pinned: " .. tostring(status))
  check(status == "score +2", "augur.pinTest pinned the test (status " .. tostring(status) .. ")")
  local hints = {}
  for _, resp in pairs(vim.lsp.buf_request_sync(buf, "textDocument/inlayHint", {
    textDocument = { uri = uri },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 30, character = 0 } },
  }, 10000) or {}) do
    for _, hint in ipairs(resp.result or {}) do
      table.insert(hints, hint)
      log("     hint " .. hint.position.line .. ":" .. hint.position.character .. " " .. tostring(hint.label))
    end
  end
  local fired
  for _, hint in ipairs(hints) do
    if hint.label == "✓ +2" then
      fired = hint
    end
  end
  check(fired ~= nil, "inlay hints arrived, with ✓ +2 for 早期")
  check(fired ~= nil and fired.position.line == 7 and fired.position.character == 9,
    "the hint is after `signal 早期` (line 8, UTF-16 column 9)")
  local lenses = {}
  for _, resp in pairs(vim.lsp.buf_request_sync(buf, "textDocument/codeLens", { textDocument = { uri = uri } }, 10000) or {}) do
    for _, lens in ipairs(resp.result or {}) do
      table.insert(lenses, lens.command.title)
    end
  end
  check(vim.tbl_contains(lenses, "▶ Run"), "code lenses arrived: " .. table.concat(lenses, " | "))
  -- A second playbook in the same root shares the server (0.7: by hand; 0.8+: vim.lsp.start).
  local second = vim.fn.fnamemodify(playbook, ":h") .. "/second.augur"
  vim.fn.writefile({ 'playbook "第二"' }, second)
  vim.cmd("edit " .. vim.fn.fnameescape(second))
  local buf2 = vim.api.nvim_get_current_buf()
  check(vim.wait(10000, function()
    return next(vim.lsp.buf_get_clients(buf2)) ~= nil
  end, 50), "the server attached to a second playbook")
  local augur_clients = 0
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == "augur" then
      augur_clients = augur_clients + 1
    end
  end
  check(augur_clients == 1, "one server for both playbooks (got " .. augur_clients .. ")")

  -- A broken ftplugin or syntax file only prints an error; make it count.
  check(vim.v.errmsg == "", "no Vim errors (v:errmsg = '" .. vim.v.errmsg .. "')")
end)
if not ok then
  failures = failures + 1
  log("FAIL error: " .. tostring(err))
end
finish()
