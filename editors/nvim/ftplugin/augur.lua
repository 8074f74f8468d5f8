-- Buffer settings for Augur playbooks, and the language server for this buffer.
-- Set `vim.g.augur_lsp_autostart = false` to start it yourself with
-- `require('augur').start()`.
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = true

vim.bo.commentstring = "# %s"
vim.bo.comments = ":#"
vim.bo.expandtab = true
vim.bo.shiftwidth = 2
vim.bo.softtabstop = 2
vim.b.undo_ftplugin = "setlocal commentstring< comments< expandtab< shiftwidth< softtabstop<"

if vim.g.augur_lsp_autostart ~= false then
  require("augur").start(vim.api.nvim_get_current_buf())
end
