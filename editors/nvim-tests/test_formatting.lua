-- Formatting gives what `linja fmt` gives, for the document and for a range.
local T = dofile(os.getenv('TESTS') .. '/helpers.lua')
T.start()

local messy = {
  'param   extra_window="x"',
  'let   extra =  client.status is unemployed   and  new_client',
  '',
  'rule  extra_rule "Yksi – ”kaksi”" when extra then flag long_term_unemployed',
}

T.test('formatting the document gives exactly what linja fmt gives', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local n = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, n, n, false, messy)
  local want = T.fmt(T.buffer_text(buf))
  T.ok(want ~= T.buffer_text(buf), 'the text needs formatting')
  if vim.lsp.buf.format then
    vim.lsp.buf.format({ async = false, bufnr = buf })
  else
    vim.lsp.buf.formatting_sync(nil, 10000)
  end
  T.eq(T.buffer_text(buf), want, 'formatted text')
end)

T.test('range formatting formats the declarations the range overlaps, and only those', function()
  local buf = T.open('etela-keski-suomi/verdicts.linja')
  local n = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, n, n, false, messy)
  local before = T.buffer_text(buf)
  local line = T.find(buf, 'rule  extra_rule')
  local params = vim.lsp.util.make_range_params()
  params.range = { start = { line = line, character = 8 }, ['end'] = { line = line, character = 10 } }
  params.options = { tabSize = 2, insertSpaces = true }
  local edits = T.request(buf, 'textDocument/rangeFormatting', params)
  vim.lsp.util.apply_text_edits(edits, buf, 'utf-16')
  local after = T.buffer_text(buf)
  T.contains(after, 'rule extra_rule "Yksi – ”kaksi”"\n  when extra\n  then flag long_term_unemployed\n')
  T.contains(after, 'param   extra_window="x"')
  T.ok(before ~= after, 'something changed')
end)

T.finish()
