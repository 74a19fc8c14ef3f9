-- Diagnostics as you type, the "did you mean" fix, and a file's tests.
local T = dofile(os.getenv('TESTS') .. '/helpers.lua')
T.start()

T.test('a misspelt municipality is reported at its line and UTF-16 column', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local line = T.find(buf, 'in Keuruu, "Mänttä-Vilppula"')
  local original = vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1]
  -- An unsaved edit, with Finnish letters before the mistake on its line.
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { '  in Jämsä, "Mänttä-Vilpula"' })
  T.wait(function() return #T.diagnostics(buf) > 0 end, 'diagnostics')
  local d = T.diagnostics(buf)[1]
  T.eq(#T.diagnostics(buf), 1, 'number of diagnostics')
  T.eq(T.code(d), 'L403', 'code')
  T.eq(d.lnum, line, 'line')
  local _, col = T.find(buf, '"Mänttä-Vilpula"')
  T.eq(d.col, col, 'byte column (Neovim converted it from UTF-16)')
  T.eq(d.end_col, col + #'"Mänttä-Vilpula"', 'end column')
  T.eq(d.severity, vim.diagnostic.severity.ERROR, 'severity')
  T.contains(d.message, 'did you mean `Mänttä-Vilppula`?')

  -- The fix is a code action that applies it.
  local params = vim.lsp.util.make_range_params()
  params.range = { start = { line = line, character = 14 }, ['end'] = { line = line, character = 14 } }
  params.context = { diagnostics = {} }
  local actions = T.request(buf, 'textDocument/codeAction', params)
  T.eq(#actions, 1, 'code actions')
  T.eq(actions[1].kind, 'quickfix', 'action kind')
  vim.lsp.util.apply_workspace_edit(actions[1].edit, 'utf-16')
  T.eq(vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1], '  in Jämsä, "Mänttä-Vilppula"', 'fixed line')
  T.wait(function() return #T.diagnostics(buf) == 0 end, 'the diagnostic to go away')
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { original })
end)

T.test('an edit of the shared policy shows errors in the area that imports it', function()
  local common = T.open('common/definitions.linja')
  local line = T.find(common, 'let unemployment "')
  local text = vim.api.nvim_buf_get_lines(common, line, line + 1, false)[1]
  vim.api.nvim_buf_set_lines(common, line, line + 1, false, { (text:gsub('let unemployment ', 'let unemployment_spell ')) })
  local area = vim.uri_to_bufnr(vim.uri_from_fname(T.rules .. '/etela-keski-suomi/rules.linja'))
  T.wait(function()
    for _, d in ipairs(T.diagnostics(area)) do
      if T.code(d) == 'L401' and d.message:find('unemployment', 1, true) then return true end
    end
    return false
  end, 'the importer\'s diagnostics')
  vim.api.nvim_buf_set_lines(common, line, line + 1, false, { text })
  T.wait(function() return #T.diagnostics(area) == 0 end, 'the importer\'s diagnostics to clear')
end)

T.test('running a file\'s tests shows a failure where its expectation is written', function()
  local buf = T.open('etela-keski-suomi/rules_test.linja')
  local line = T.find(buf, 'expect not refer job_search_documents to municipal_coach')
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { '  expect refer job_search_documents to municipal_coach' })
  local lenses = T.request(buf, 'textDocument/codeLens', { textDocument = vim.lsp.util.make_text_document_params() })
  T.ok(#lenses > 1, 'code lenses')
  local result = T.request(buf, 'workspace/executeCommand', lenses[1].command)
  T.eq(result.failed, 1, 'failed tests')
  T.wait(function()
    for _, d in ipairs(T.diagnostics(buf)) do
      if d.source == 'linja test' and d.lnum == line then return true end
    end
    return false
  end, 'the test failure as a diagnostic')
end)

T.finish()
