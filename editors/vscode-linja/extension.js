// Linja for VS Code: starts `linja lsp` and connects it to the editor.
//
// Dependency-free on purpose: VS Code's own LSP client library
// (vscode-languageclient) is an npm package, and this extension is meant to
// be copied into place without a build step. So this file is a small LSP
// client of its own: JSON-RPC with Content-Length framing over the server's
// standard input and output, and one VS Code provider per server feature.
//
// UNTESTED: neither VS Code nor npm was available where this was written.
// The server itself is tested in process and with Neovim's built-in client.
'use strict';

const vscode = require('vscode');
const { spawn } = require('child_process');

let server = null;

class Connection {
  constructor(command, output) {
    this.output = output;
    this.nextId = 1;
    this.pending = new Map();
    this.handlers = new Map();
    this.buffer = Buffer.alloc(0);
    this.process = spawn(command, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stdout.on('data', (chunk) => this.receive(chunk));
    this.process.stderr.on('data', (chunk) => output.append(chunk.toString()));
    this.process.on('error', (e) => {
      vscode.window.showErrorMessage(`Linja: cannot start '${command} lsp': ${e.message}. Set "linja.path".`);
    });
    this.process.on('exit', (code) => {
      output.appendLine(`linja lsp exited with code ${code}`);
      for (const { reject } of this.pending.values()) reject(new Error('the language server exited'));
      this.pending.clear();
    });
  }

  write(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.process.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.process.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    this.write({ jsonrpc: '2.0', id, method, params });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  notify(method, params) {
    this.write({ jsonrpc: '2.0', method, params });
  }

  onNotification(method, handler) {
    this.handlers.set(method, handler);
  }

  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const header = this.buffer.slice(0, end).toString('ascii');
      const match = /content-length:\s*(\d+)/i.exec(header);
      if (!match) { this.buffer = this.buffer.slice(end + 4); continue; }
      const length = Number(match[1]);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.slice(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.slice(end + 4 + length);
      let message;
      try { message = JSON.parse(body); } catch (e) { continue; }
      if (message.method === undefined && this.pending.has(message.id)) {
        const { resolve, reject } = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) reject(new Error(message.error.message)); else resolve(message.result);
      } else if (message.method && message.id === undefined) {
        const handler = this.handlers.get(message.method);
        if (handler) handler(message.params);
      }
    }
  }

  stop() {
    return this.request('shutdown', null)
      .catch(() => undefined)
      .then(() => { this.notify('exit', null); this.process.stdin.end(); });
  }
}

// Positions and ranges: both VS Code and the protocol count UTF-16 code units.
const position = (p) => ({ line: p.line, character: p.character });
const range = (r) => ({ start: position(r.start), end: position(r.end) });
const toPosition = (p) => new vscode.Position(p.line, p.character);
const toRange = (r) => new vscode.Range(toPosition(r.start), toPosition(r.end));
const toLocation = (l) => new vscode.Location(vscode.Uri.parse(l.uri), toRange(l.range));
const textDocument = (doc) => ({ uri: doc.uri.toString() });
const at = (doc, p) => ({ textDocument: textDocument(doc), position: position(p) });

function toWorkspaceEdit(edit) {
  const result = new vscode.WorkspaceEdit();
  for (const [uri, edits] of Object.entries((edit && edit.changes) || {})) {
    for (const e of edits) result.replace(vscode.Uri.parse(uri), toRange(e.range), e.newText);
  }
  return result;
}

const severities = [null, vscode.DiagnosticSeverity.Error, vscode.DiagnosticSeverity.Warning,
  vscode.DiagnosticSeverity.Information, vscode.DiagnosticSeverity.Hint];

function toDiagnostic(d) {
  const result = new vscode.Diagnostic(toRange(d.range), d.message, severities[d.severity] || vscode.DiagnosticSeverity.Error);
  result.code = d.code;
  result.source = d.source;
  result.relatedInformation = (d.relatedInformation || []).map(
    (r) => new vscode.DiagnosticRelatedInformation(toLocation(r.location), r.message));
  return result;
}

// LSP SymbolKind numbers are one more than VS Code's SymbolKind values.
function toSymbol(s) {
  const result = new vscode.DocumentSymbol(s.name, s.detail || '', Math.max(0, s.kind - 1), toRange(s.range), toRange(s.selectionRange));
  result.children = (s.children || []).map(toSymbol);
  return result;
}

// LSP CompletionItemKind numbers are one more than VS Code's.
function toCompletion(item) {
  const result = new vscode.CompletionItem(item.label, Math.max(0, (item.kind || 1) - 1));
  result.detail = item.detail;
  result.sortText = item.sortText;
  result.filterText = item.filterText;
  if (item.textEdit) {
    result.range = toRange(item.textEdit.range);
    result.insertText = item.textEdit.newText;
  }
  return result;
}

function activate(context) {
  const output = vscode.window.createOutputChannel('Linja');
  const command = vscode.workspace.getConfiguration('linja').get('path') || 'linja';
  const connection = new Connection(command, output);
  server = connection;
  const diagnostics = vscode.languages.createDiagnosticCollection('linja');
  const selector = { language: 'linja' };
  const isLinja = (doc) => doc.languageId === 'linja' && doc.uri.scheme === 'file';

  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    diagnostics.set(vscode.Uri.parse(p.uri), p.diagnostics.map(toDiagnostic));
  });
  connection.onNotification('window/showMessage', (p) => {
    const show = p.type === 1 ? vscode.window.showErrorMessage : p.type === 2 ? vscode.window.showWarningMessage
      : vscode.window.showInformationMessage;
    show(p.message);
  });
  connection.onNotification('window/logMessage', (p) => output.appendLine(p.message));

  const opened = (doc) => {
    if (!isLinja(doc)) return;
    connection.notify('textDocument/didOpen', {
      textDocument: { uri: doc.uri.toString(), languageId: 'linja', version: doc.version, text: doc.getText() },
    });
  };

  connection.request('initialize', {
    processId: process.pid,
    rootUri: vscode.workspace.workspaceFolders ? vscode.workspace.workspaceFolders[0].uri.toString() : null,
    capabilities: {},
  }).then(() => {
    connection.notify('initialized', {});
    vscode.workspace.textDocuments.forEach(opened);
  }, (e) => output.appendLine(`initialize failed: ${e.message}`));

  context.subscriptions.push(
    diagnostics,
    output,
    vscode.workspace.onDidOpenTextDocument(opened),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!isLinja(e.document) || e.contentChanges.length === 0) return;
      connection.notify('textDocument/didChange', {
        textDocument: { uri: e.document.uri.toString(), version: e.document.version },
        contentChanges: e.contentChanges.map((c) => ({ range: range(c.range), text: c.text })),
      });
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (isLinja(doc)) connection.notify('textDocument/didClose', { textDocument: textDocument(doc) });
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (isLinja(doc)) connection.notify('textDocument/didSave', { textDocument: textDocument(doc) });
    }),
    vscode.languages.registerHoverProvider(selector, {
      provideHover: (doc, p) => connection.request('textDocument/hover', at(doc, p)).then((h) => h
        && new vscode.Hover(new vscode.MarkdownString(h.contents.value), h.range && toRange(h.range))),
    }),
    vscode.languages.registerDefinitionProvider(selector, {
      provideDefinition: (doc, p) => connection.request('textDocument/definition', at(doc, p)).then((l) => l && toLocation(l)),
    }),
    vscode.languages.registerReferenceProvider(selector, {
      provideReferences: (doc, p, ctx) => connection.request('textDocument/references',
        Object.assign(at(doc, p), { context: { includeDeclaration: ctx.includeDeclaration } }))
        .then((ls) => (ls || []).map(toLocation)),
    }),
    vscode.languages.registerRenameProvider(selector, {
      prepareRename: (doc, p) => connection.request('textDocument/prepareRename', at(doc, p))
        .then((r) => ({ range: toRange(r.range), placeholder: r.placeholder })),
      provideRenameEdits: (doc, p, newName) => connection.request('textDocument/rename',
        Object.assign(at(doc, p), { newName })).then(toWorkspaceEdit),
    }),
    vscode.languages.registerDocumentSymbolProvider(selector, {
      provideDocumentSymbols: (doc) => connection.request('textDocument/documentSymbol', { textDocument: textDocument(doc) })
        .then((ss) => (ss || []).map(toSymbol)),
    }),
    vscode.languages.registerCompletionItemProvider(selector, {
      provideCompletionItems: (doc, p) => connection.request('textDocument/completion', at(doc, p))
        .then((list) => new vscode.CompletionList(((list && list.items) || []).map(toCompletion), false)),
    }, '.', '"'),
    vscode.languages.registerDocumentFormattingEditProvider(selector, {
      provideDocumentFormattingEdits: (doc, options) => connection.request('textDocument/formatting',
        { textDocument: textDocument(doc), options: { tabSize: options.tabSize, insertSpaces: options.insertSpaces } })
        .then((es) => (es || []).map((e) => vscode.TextEdit.replace(toRange(e.range), e.newText))),
    }),
    vscode.languages.registerDocumentRangeFormattingEditProvider(selector, {
      provideDocumentRangeFormattingEdits: (doc, r, options) => connection.request('textDocument/rangeFormatting',
        { textDocument: textDocument(doc), range: range(r), options: { tabSize: options.tabSize, insertSpaces: options.insertSpaces } })
        .then((es) => (es || []).map((e) => vscode.TextEdit.replace(toRange(e.range), e.newText))),
    }),
    vscode.languages.registerCodeActionsProvider(selector, {
      provideCodeActions: (doc, r) => connection.request('textDocument/codeAction',
        { textDocument: textDocument(doc), range: range(r), context: { diagnostics: [] } })
        .then((as) => (as || []).map((a) => {
          const action = new vscode.CodeAction(a.title, vscode.CodeActionKind.QuickFix);
          action.edit = toWorkspaceEdit(a.edit);
          action.isPreferred = a.isPreferred;
          return action;
        })),
    }),
    vscode.languages.registerCodeLensProvider(selector, {
      provideCodeLenses: (doc) => connection.request('textDocument/codeLens', { textDocument: textDocument(doc) })
        .then((ls) => (ls || []).map((l) => new vscode.CodeLens(toRange(l.range),
          { title: l.command.title, command: l.command.command, arguments: l.command.arguments }))),
    }),
    vscode.commands.registerCommand('linja.runTests', (uri, name) => {
      const target = uri || (vscode.window.activeTextEditor && vscode.window.activeTextEditor.document.uri.toString());
      if (!target) return undefined;
      const args = name ? [String(target), name] : [String(target)];
      return connection.request('workspace/executeCommand', { command: 'linja.runTests', arguments: args })
        .catch((e) => vscode.window.showErrorMessage(`Linja: ${e.message}`));
    }),
  );
}

function deactivate() {
  return server ? server.stop() : undefined;
}

module.exports = { activate, deactivate };
