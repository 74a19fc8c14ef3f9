-- Hover: kind, type and unit, Finnish label, source, value in force today.
local T = dofile(os.getenv('TESTS') .. '/helpers.lua')
T.start()

local function hover_text(buf, needle, offset)
  local line, col = T.find(buf, needle)
  local result = T.request(buf, 'textDocument/hover', T.at(buf, line, col + (offset or 1)))
  T.ok(result and result.contents, 'a hover for ' .. needle)
  return result.contents.value
end

T.test('a param shows its type, label, source and value today', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local text = hover_text(buf, 'career_guidance_after otherwise', 2)
  T.contains(text, '**param** `career_guidance_after`: duration in months')
  T.contains(text, '*Työttömyys pitkittyy*')
  T.contains(text, 'Value in force today (')
  T.contains(text, '**3 months**')
  T.contains(text, 'Source: seed 003')
end)

T.test('a let from the shared policy shows its label and assumption', function()
  local buf = T.open('etela-keski-suomi/rules.linja')
  local text = hover_text(buf, 'unemployment >')
  T.contains(text, '**let** `unemployment`: span from a date, may be missing')
  T.contains(text, '*Työttömyyden kesto*')
  T.contains(text, 'Assumption: unemployment counts from the start of the current spell')
end)

T.test('a municipality after Finnish letters shows its code, groups and area', function()
  local buf = T.open('etela-keski-suomi/area.linja')
  -- The cursor after `ä`s: Neovim sends the UTF-16 column.
  local text = hover_text(buf, '"Mänttä-Vilppula" code', 9)
  T.contains(text, '**municipality** `Mänttä-Vilppula` — code 508')
  T.contains(text, '`municipal_coaching` *Kunta tuottaa valmennuksen palvelutuotantosopimuksella*')
  T.contains(text, 'Area: `etela_keski_suomi` *Eteläisen Keski-Suomen työllisyysalue*')
end)

T.test('an outcome lists the rules of both areas that give it', function()
  local buf = T.open('common/outcomes.linja')
  local text = hover_text(buf, 'integration_training "', 3)
  T.contains(text, '**outcome** `refer integration_training`')
  T.contains(text, '*Kotoutumiskoulutus*')
  T.contains(text, '→ area_provider, municipal_provider (`' .. T.rules .. '/etela-keski-suomi/rules.linja:')
  T.contains(text, '→ area_provider (`' .. T.rules .. '/pohjois-karjala/rules.linja:')
end)

T.finish()
