-- Shared helpers for the headless Neovim tests of `linja lsp`.
-- Each test file is run by run.sh in its own `nvim --headless --clean`, with
-- LINJA (the binary) and RULES (a temporary copy of rules/) in the
-- environment. A test calls T.test(name, fn); failures are collected and the
-- process exits 1 if any failed, 0 otherwise. Works with Neovim 0.7 and later.

local T = { failures = 0, client_id = nil, messages = {} }

-- Messages the server shows (`window/showMessage`) are kept for the tests, not printed.
vim.lsp.handlers['window/showMessage'] = function(_, result)
  table.insert(T.messages, result)
end

local linja = assert(os.getenv('LINJA'), 'LINJA is not set')
T.rules = assert(os.getenv('RULES'), 'RULES is not set')

local function fail(msg)
  error(msg, 0)
end

function T.eq(got, want, what)
  if got ~= want then
    fail(string.format('%s: expected %s, got %s', what or 'value', vim.inspect(want), vim.inspect(got)))
  end
end

function T.ok(cond, what)
  if not cond then fail(what or 'assertion failed') end
end

function T.contains(haystack, needle, what)
  if type(haystack) ~= 'string' or not haystack:find(needle, 1, true) then
    fail(string.format('%s: %s does not contain %s', what or 'text', vim.inspect(haystack), vim.inspect(needle)))
  end
end

-- Starts `linja lsp` with Neovim's built-in client.
function T.start()
  T.client_id = vim.lsp.start_client({
    name = 'linja',
    cmd = { linja, 'lsp' },
    root_dir = T.rules,
    flags = { debounce_text_changes = 0 },
  })
  assert(T.client_id, 'the language server did not start')
  return T.client_id
end

-- Buffers with unsaved edits may be left for others.
vim.o.hidden = true

-- Opens a file of the rules copy in a buffer attached to the server.
function T.open(relative)
  local path = T.rules .. '/' .. relative
  local existing = vim.fn.bufnr(path)
  if existing ~= -1 and vim.api.nvim_buf_is_loaded(existing) then
    -- Already open (perhaps with unsaved edits): show it again.
    vim.api.nvim_set_current_buf(existing)
  else
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
  end
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'linja'
  vim.lsp.buf_attach_client(buf, T.client_id or T.start())
  T.ok(vim.wait(10000, function()
    local c = vim.lsp.get_client_by_id(T.client_id)
    return c ~= nil and c.initialized
  end, 20), 'the server did not initialize')
  return buf
end

-- Waits until `check()` is true (diagnostics arrive asynchronously).
function T.wait(check, what, ms)
  if not vim.wait(ms or 10000, check, 20) then fail('timed out waiting for ' .. what) end
end

-- A request answered synchronously; returns the result, fails on an error.
function T.request(buf, method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, 10000)
  if not responses then fail(method .. ': ' .. tostring(err)) end
  local r = responses[T.client_id]
  if not r then fail(method .. ': no response') end
  if r.error or r.err then return nil, (r.error or r.err) end
  return r.result
end

-- The 0-based line and byte column of the first `needle` in the buffer.
function T.find(buf, needle, nth)
  nth = nth or 1
  local seen = 0
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local from = 1
    while true do
      local s = line:find(needle, from, true)
      if not s then break end
      seen = seen + 1
      if seen == nth then return i - 1, s - 1 end
      from = s + 1
    end
  end
  fail('not in the buffer: ' .. needle)
end

-- Position params for a byte position, built the way Neovim builds them for
-- the cursor (so Neovim converts bytes to UTF-16 columns).
function T.at(buf, line, col)
  vim.api.nvim_win_set_buf(0, buf)
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  return vim.lsp.util.make_position_params()
end

-- Position params for the end of a line (where a cursor in insert mode would be).
function T.line_end(buf, line)
  local text = vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1]
  local _, utf16 = vim.str_utfindex(text)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = utf16 } }
end

function T.diagnostics(buf)
  return vim.diagnostic.get(buf)
end

-- The code of a diagnostic, where each Neovim version keeps it.
function T.code(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

function T.buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
end

-- What `linja fmt -` prints for a text.
function T.fmt(text)
  local out = vim.fn.system({ linja, 'fmt', '-' }, text)
  T.eq(vim.v.shell_error, 0, 'linja fmt exit code')
  return out
end

function T.test(name, fn)
  local ok, err = pcall(fn)
  if ok then
    io.stdout:write('  ok   ' .. name .. '\n')
  else
    T.failures = T.failures + 1
    io.stdout:write('  FAIL ' .. name .. ': ' .. tostring(err) .. '\n')
  end
end

-- Stops the server and leaves Neovim with the result.
function T.finish()
  if T.client_id then
    vim.lsp.stop_client(T.client_id)
    vim.wait(3000, function() return vim.lsp.get_client_by_id(T.client_id) == nil end, 20)
  end
  io.stdout:flush()
  if T.failures > 0 then vim.cmd('cquit 1') else vim.cmd('qall!') end
end

return T
