-- Starts the Augur language server (`augur lsp`) for Augur buffers.
--
-- Works with Neovim 0.7 (Debian 12), which only has `vim.lsp.start_client` +
-- `vim.lsp.buf_attach_client`, and with 0.8+, which has `vim.lsp.start`.
-- All language knowledge is in the server; this module only finds the
-- program, picks a root folder, and shares one server per root.
local M = {}

M.config = {
  -- The command that starts the server; nil means { vim.g.augur_server_path or "augur", "lsp" }.
  cmd = nil,
  -- A folder containing one of these is the project root (else the file's folder).
  root_markers = { ".git", "augur.toml" },
  -- Extra fields passed to the LSP client config (on_attach, capabilities, ...).
  client = {},
  -- Show the pinned deal: inlay hints on (Neovim 0.10+) and code lenses
  -- refreshed on BufEnter, InsertLeave and CursorHold (0.7+).
  live = true,
}

--- Override settings: require('augur').setup({ cmd = { '/path/to/augur', 'lsp' } }).
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", M.config, opts or {})
end

function M.command()
  if M.config.cmd then
    return M.config.cmd
  end
  return { vim.g.augur_server_path or "augur", "lsp" }
end

--- The nearest folder above `path` that holds a root marker, else path's folder.
function M.root_dir(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local start = dir
  while dir and dir ~= "" do
    for _, marker in ipairs(M.config.root_markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return start
end

--- Inlay hints on and code lenses refreshed for `bufnr` (the pinned deal).
function M.enable_live(bufnr)
  if vim.lsp.inlay_hint and vim.lsp.inlay_hint.enable then
    -- 0.10 takes (true, { bufnr = b }); the 0.10 nightlies took (b, true).
    if not pcall(vim.lsp.inlay_hint.enable, true, { bufnr = bufnr }) then
      pcall(vim.lsp.inlay_hint.enable, bufnr, true)
    end
  end
  if vim.lsp.codelens then
    vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "CursorHold" }, {
      buffer = bufnr,
      callback = function()
        pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
      end,
    })
  end
end

--- Runs one of the server's commands for `bufnr` (augur.pinTest, augur.pinDeal, ...).
function M.command_for(bufnr, command, extra)
  local argument = vim.tbl_extend("force", { uri = vim.uri_from_bufnr(bufnr) }, extra or {})
  vim.lsp.buf_request(bufnr, "workspace/executeCommand", { command = command, arguments = { argument } },
    function(err, result)
      if err then
        vim.notify("Augur: " .. (err.message or tostring(err)), vim.log.levels.ERROR)
      elseif result and result.status then
        vim.notify("Augur: pinned " .. result.name .. ": " .. result.status)
      end
      pcall(vim.lsp.codelens.refresh, { bufnr = bufnr })
    end)
end

-- :AugurPinDeal {file} (inside the playbook's folder), :AugurPinTest {name}, :AugurUnpin
vim.api.nvim_create_user_command("AugurPinDeal", function(o)
  M.command_for(vim.api.nvim_get_current_buf(), "augur.pinDeal", { path = vim.fn.fnamemodify(o.args, ":p") })
end, { nargs = 1, complete = "file" })
vim.api.nvim_create_user_command("AugurPinTest", function(o)
  M.command_for(vim.api.nvim_get_current_buf(), "augur.pinTest", { test = o.args })
end, { nargs = 1 })
vim.api.nvim_create_user_command("AugurUnpin", function()
  M.command_for(vim.api.nvim_get_current_buf(), "augur.unpin", {})
end, { nargs = 0 })

--- Starts (or reuses) the server for `bufnr` and attaches it; returns the client id or nil.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local cmd = M.command()
  if vim.fn.executable(cmd[1]) ~= 1 then
    vim.notify(
      ("Augur: cannot find the program %q. Install augur (cargo install --path crates/augur-cli) "
        .. "or set vim.g.augur_server_path to its full path."):format(cmd[1]),
      vim.log.levels.ERROR
    )
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = M.root_dir(name ~= "" and name or vim.fn.getcwd() .. "/x")
  local config = vim.tbl_extend("force", {
    name = "augur",
    cmd = cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
  }, M.config.client)

  if M.config.live then
    M.enable_live(bufnr)
  end
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end

  -- Neovim 0.7: one client per root, attached by hand.
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == "augur" and client.config.root_dir == root and not client.is_stopped() then
      vim.lsp.buf_attach_client(bufnr, client.id)
      return client.id
    end
  end
  local id = vim.lsp.start_client(config)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

return M
