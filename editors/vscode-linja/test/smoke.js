// A smoke test of extension.js without VS Code: a stand-in for the `vscode`
// module records the providers the extension registers, and the test calls
// them against a real `linja lsp`. It checks the extension's own wiring
// (framing, conversions, requests), not VS Code's behaviour.
//
// Usage: node editors/vscode-linja/test/smoke.js path/to/linja
'use strict';
const Module = require('module');
const path = require('path');
const fs = require('fs');
const providers = {};
const commands = {};
const listeners = {};
const diags = new Map();
class Position { constructor(l, c) { this.line = l; this.character = c; } }
class Range { constructor(s, e) { this.start = s; this.end = e; } }
class Uri { constructor(s) { this.s = s; } toString() { return this.s; } get scheme() { return this.s.split(':')[0]; }
  static parse(s) { return new Uri(s); } static file(p) { return new Uri('file://' + p); } }
const stub = {
  Position, Range, Uri,
  Location: class { constructor(u, r) { this.uri = u; this.range = r; } },
  Hover: class { constructor(c, r) { this.contents = c; this.range = r; } },
  MarkdownString: class { constructor(v) { this.value = v; } },
  Diagnostic: class { constructor(r, m, s) { this.range = r; this.message = m; this.severity = s; } },
  DiagnosticRelatedInformation: class { constructor(l, m) { this.location = l; this.message = m; } },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  DocumentSymbol: class { constructor(n, d, k, r, s) { Object.assign(this, { name: n, detail: d, kind: k, range: r, selectionRange: s }); } },
  CompletionItem: class { constructor(l, k) { this.label = l; this.kind = k; } },
  CompletionList: class { constructor(items) { this.items = items; } },
  TextEdit: { replace: (r, t) => ({ range: r, newText: t }) },
  WorkspaceEdit: class { constructor() { this.edits = []; } replace(u, r, t) { this.edits.push([u.toString(), r, t]); } },
  CodeAction: class { constructor(t, k) { this.title = t; this.kind = k; } },
  CodeActionKind: { QuickFix: 'quickfix' },
  CodeLens: class { constructor(r, c) { this.range = r; this.command = c; } },
  window: { createOutputChannel: () => ({ append: (s) => process.stderr.write(s), appendLine: () => {}, dispose() {} }),
    showErrorMessage: (m) => console.log('error:', m), showWarningMessage: (m) => console.log('warning:', m),
    showInformationMessage: (m) => console.log('info:', m), activeTextEditor: null },
  workspace: { getConfiguration: () => ({ get: () => process.env.LINJA }), workspaceFolders: null, textDocuments: [],
    onDidOpenTextDocument: (f) => { listeners.open = f; return {}; }, onDidChangeTextDocument: (f) => { listeners.change = f; return {}; },
    onDidCloseTextDocument: (f) => { listeners.close = f; return {}; }, onDidSaveTextDocument: (f) => { listeners.save = f; return {}; } },
  languages: {
    createDiagnosticCollection: () => ({ set: (u, d) => diags.set(u.toString(), d), dispose() {} }),
  },
  commands: { registerCommand: (n, f) => { commands[n] = f; return {}; } },
};
for (const name of ['Hover', 'Definition', 'Reference', 'Rename', 'DocumentSymbol', 'CompletionItem', 'DocumentFormattingEdit',
  'DocumentRangeFormattingEdit', 'CodeActions', 'CodeLens']) {
  stub.languages['register' + name + 'Provider'] = (sel, p) => { providers[name] = p; return {}; };
}
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? stub : load.call(this, request, ...rest); };
const linja = path.resolve(process.argv[2] || '.build/debug/linja');
process.env.LINJA = linja;
const ext = require(path.join(__dirname, '..', 'extension.js'));
const file = path.join(__dirname, '..', '..', '..', 'rules', 'etela-keski-suomi', 'rules.linja');
const text = fs.readFileSync(file, 'utf8').replace('in Keuruu, "Mänttä-Vilppula"', 'in Keuruu, "Mänttä-Vilpula"');
const lines = text.split('\n');
const doc = { uri: Uri.file(file), languageId: 'linja', version: 1, getText: () => text };
const find = (needle, off = 1) => { const i = lines.findIndex((l) => l.includes(needle)); return new Position(i, lines[i].indexOf(needle) + off); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
const check = (what, ok) => { console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures++; };
(async () => {
  stub.workspace.textDocuments = [doc];
  ext.activate({ subscriptions: [] });
  for (let i = 0; i < 100 && !diags.has(doc.uri.toString()); i++) await sleep(50);
  const d = diags.get(doc.uri.toString()) || [];
  check('the misspelt municipality is a diagnostic at 24:13', d.length === 1 && d[0].code === 'L403'
    && d[0].range.start.line === 24 && d[0].range.start.character === 13);
  const h = await providers.Hover.provideHover(doc, find('career_guidance_after otherwise', 3));
  check('hover shows the param', !!h && h.contents.value.startsWith('**param** `career_guidance_after`'));
  const def = await providers.Definition.provideDefinition(doc, find('unemployment >', 2));
  check('definition goes to common/definitions.linja', !!def && def.uri.toString().endsWith('/common/definitions.linja'));
  const refs = await providers.Reference.provideReferences(doc, find('new_client "', 2), { includeDeclaration: true });
  check('references are found', refs.length >= 3);
  const syms = await providers.DocumentSymbol.provideDocumentSymbols(doc);
  check('document symbols', syms.map((s) => s.name).includes('career_guidance_after_3_months'));
  const comp = await providers.CompletionItem.provideCompletionItems(doc, find('then refer job_search_documents to area_coach', 11));
  check('completion after refer', comp.items.some((i) => i.label === 'job_search_documents'));
  const fmt = await providers.DocumentFormattingEdit.provideDocumentFormattingEdits(doc, { tabSize: 2, insertSpaces: true });
  check('a formatted file gets no formatting edits', fmt.length === 0);
  const acts = await providers.CodeActions.provideCodeActions(doc, new Range(find('"Mänttä-Vilpula"', 2), find('"Mänttä-Vilpula"', 2)));
  check('the did-you-mean fix', acts.length === 1 && acts[0].edit.edits[0][2] === '"Mänttä-Vilppula"');
  const edit = await providers.Rename.provideRenameEdits(doc, find('new_client "', 2), 'uusi');
  check('rename edits', edit.edits.length >= 3);
  await ext.deactivate();
  process.exit(failures > 0 ? 1 : 0);
})().catch((e) => { console.log('  FAIL', e); process.exit(1); });
