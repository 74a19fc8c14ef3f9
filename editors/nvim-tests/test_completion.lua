-- Completion by context.
local T = dofile(os.getenv('TESTS') .. '/helpers.lua')
T.start()

-- Labels offered at the end of `typed`, appended to the file as a new line.
local function labels(buf, typed)
  local n = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, n, n, false, { typed })
  local result = T.request(buf, 'textDocument/completion', T.line_end(buf, n))
  vim.api.nvim_buf_set_lines(buf, n, n + 1, false, {})
  local items = result.items or result
  local set = {}
  for _, i in ipairs(items) do set[i.label] = i end
  return set
end

T.test('client. offers the record fields', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local got = labels(buf, 'let x = client.')
  T.ok(got['unemployed_since'] and got['status'] and got['municipality'], 'fields')
  T.ok(not got['new_client'], 'no lets after client.')
end)

T.test('a kind offers its outcomes; refer x to offers destinations', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local flags = labels(buf, 'rule r when new_client then flag ')
  T.ok(flags['long_term_unemployed'] and not flags['career_guidance'], 'flag outcomes only')
  local to = labels(buf, 'rule r when new_client then refer job_search_documents to ')
  T.ok(to['area_coach'] and to['municipal_coach'], 'destinations')
end)

T.test('is offers the enumeration values; in offers places; a number offers units', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local is = labels(buf, 'let x = client.status is ')
  T.ok(is['short_layoff'] and is['laid_off'] and not is['Keuruu'], 'status values')
  local places = labels(buf, 'rule r in ')
  T.ok(places['Mänttä-Vilppula'] and places['municipal_coaching'] and places['etela_keski_suomi'], 'places')
  T.eq(places['Mänttä-Vilppula'].textEdit.newText, '"Mänttä-Vilppula"', 'a quoted name')
  local units = labels(buf, 'param p = 3 ')
  T.ok(units['months'] and units['vrk'] and units['%'], 'units')
end)

T.test('an expression offers the names in scope', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local got = labels(buf, 'let x = ')
  T.ok(got['new_client'] and got['unemployment'] and got['career_guidance_after'] and got['age'], 'names')
end)

T.finish()
