-- Go to definition, references, rename, document symbols.
local T = dofile(os.getenv('TESTS') .. '/helpers.lua')
T.start()

local function path_of(uri)
  return vim.uri_to_fname(uri):sub(#T.rules + 2)
end

T.test('go to definition crosses the import into rules/common', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local line, col = T.find(buf, 'unemployment >')
  local result = T.request(buf, 'textDocument/definition', T.at(buf, line, col + 2))
  local loc = result[1] or result
  T.eq(path_of(loc.uri), 'common/definitions.linja', 'file')
  local common = T.open('common/definitions.linja')
  local want = T.find(common, 'let unemployment "')
  T.eq(loc.range.start.line, want, 'line')
  -- Jumping there opens the file at the declaration.
  vim.lsp.util.jump_to_location(loc, 'utf-16')
  T.contains(vim.api.nvim_get_current_line(), 'let unemployment "Työttömyyden kesto"')
end)

T.test('references cover the shared policy and both areas', function()
  local buf = T.open('common/definitions.linja')
  local line, col = T.find(buf, 'let unemployed ')
  local params = T.at(buf, line, col + 5)
  params.context = { includeDeclaration = true }
  local result = T.request(buf, 'textDocument/references', params)
  local files = {}
  for _, l in ipairs(result) do files[path_of(l.uri)] = true end
  T.ok(files['common/definitions.linja'], 'a reference in rules/common')
  T.ok(files['etela-keski-suomi/rules.linja'], 'a reference in etela-keski-suomi')
  T.ok(files['pohjois-karjala/rules.linja'], 'a reference in pohjois-karjala')
end)

T.test('document symbols list the rules, params and lets', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local symbols = T.request(buf, 'textDocument/documentSymbol', { textDocument = vim.lsp.util.make_text_document_params() })
  local names = {}
  for _, s in ipairs(symbols) do table.insert(names, s.name) end
  -- Every rule, param and let the file declares, in the file's order.
  local declared = {}
  for _, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local name = l:match('^rule ([%w_]+)') or l:match('^param ([%w_]+)') or l:match('^let ([%w_]+)')
    if name then table.insert(declared, name) end
  end
  T.ok(#declared >= 7, 'the file declares rules, params and lets')
  T.eq(table.concat(names, ' '), table.concat(declared, ' '), 'symbols')
end)

T.test('rename updates every use, and a record field is refused', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local line, col = T.find(buf, 'let new_client')
  local params = T.at(buf, line, col + 5)
  params.newName = 'uusi_asiakas'
  local edit = T.request(buf, 'textDocument/rename', params)
  vim.lsp.util.apply_workspace_edit(edit, 'utf-16')
  T.contains(T.buffer_text(buf), 'let uusi_asiakas "Uusi asiakas"')
  T.contains(T.buffer_text(buf), 'when uusi_asiakas\n')
  local tests = vim.uri_to_bufnr(vim.uri_from_fname(T.rules .. '/etela-keski-suomi/rules_test.linja'))
  T.contains(T.buffer_text(tests), 'expect uusi_asiakas')

  local common = T.open('common/client.linja')
  local fl, fc = T.find(common, 'status "')
  local refused = T.at(common, fl, fc + 1)
  refused.newName = 'tila'
  local result, err = T.request(common, 'textDocument/rename', refused)
  T.eq(result, nil, 'rename result')
  T.contains(err and err.message, 'a record field is a column of the client data')
end)

T.finish()
