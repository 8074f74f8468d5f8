" Augur playbooks: *.augur files get filetype `augur`.
autocmd BufRead,BufNewFile *.augur setfiletype augur
