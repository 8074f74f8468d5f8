" Augur playbooks: a light syntax for Vim/Neovim without tree-sitter.
" The full grammar is editors/vscode/syntaxes/augur.tmLanguage.json; the server
" also sends semantic tokens, which Neovim 0.9+ shows on top of this.
if exists("b:current_syntax")
  finish
endif

syn iskeyword @,48-57,_,192-255
syn keyword augurItem playbook import enum record facts let group signal verdict advice test
syn keyword augurKeyword when otherwise where given expect version weight message
syn keyword augurOperator and or not in
syn keyword augurBoolean true false
syn keyword augurSpecial score today it
syn keyword augurBuiltin count any all first last min max sum days_since days_until len round known decided
" `contains` is an argument name of :syn keyword, so it is matched instead.
syn match augurBuiltin "\<contains\>"
syn keyword augurType bool int number text date list
syn match augurDate "\<\d\{4}-\d\{2}-\d\{2}\>"
syn match augurNumber "\<\d\+\(\.\d\+\)\=\>"
syn match augurEscape "\\[\"\\nt{}]" contained
syn region augurInterp matchgroup=augurInterpDelim start="{" end="}" contained contains=augurOperator,augurBoolean,augurSpecial,augurBuiltin,augurNumber,augurDate
syn region augurString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=augurEscape,augurInterp
syn match augurComment "#.*$" contains=@Spell

hi def link augurItem Keyword
hi def link augurKeyword Statement
hi def link augurOperator Operator
hi def link augurBoolean Boolean
hi def link augurSpecial Identifier
hi def link augurBuiltin Function
hi def link augurType Type
hi def link augurDate Constant
hi def link augurNumber Number
hi def link augurEscape SpecialChar
hi def link augurInterpDelim Delimiter
hi def link augurString String
hi def link augurComment Comment

let b:current_syntax = "augur"
