import Foundation
import Linja

/// An error answered to a request: the protocol's code and a message.
struct LSPError: Error {
    var code: Int
    var message: String

    static let parseError = -32700
    static let invalidRequest = -32600
    static let methodNotFound = -32601
    static let invalidParams = -32602
    static let internalError = -32603
    static let serverNotInitialized = -32002
    static let requestFailed = -32803

    static func invalidParams(_ m: String) -> LSPError { LSPError(code: invalidParams, message: m) }
    static func failed(_ m: String) -> LSPError { LSPError(code: requestFailed, message: m) }
}

/// `linja lsp`: a Language Server Protocol server for rule files, over two
/// file descriptors (standard input and output in the command).
///
/// One thread reads a message, handles it, and answers; nothing but
/// protocol messages is written to the output. Diagnostics are published
/// when no further message is waiting, so a burst of edits is checked once,
/// and a single edit with no delay (there is no debounce).
///
/// A request whose handler throws gets an error response; a malformed
/// message gets an error response with a null id; neither ends the session.
public final class LanguageServer: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Today's date, for a param's value in force: the system clock, replaced in tests.
        public var today: @Sendable () -> Day
        /// Called, on the server's thread, with the time from reading a change
        /// to flushing the last diagnostics it caused (the benchmark's clock).
        public var onRecheck: (@Sendable (Swift.Duration) -> Void)?
        public init(today: @escaping @Sendable () -> Day = LanguageServer.systemToday,
                    onRecheck: (@Sendable (Swift.Duration) -> Void)? = nil) {
            self.today = today
            self.onRecheck = onRecheck
        }
    }

    /// Today in the local time zone.
    @Sendable public static func systemToday() -> Day {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return Day(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1) ?? Day(number: 0)
    }

    enum State { case waiting, running, shutDown }

    let reader: MessageReader
    let writer: MessageWriter
    let configuration: Configuration
    let workspace = Workspace()
    var state = State.waiting
    var exitCode: Int32?

    /// Policies to check again before the next answer or publication.
    var staleDirectories: Set<String> = []
    /// Files whose diagnostics may have changed.
    var unpublished: Set<String> = []
    /// Files edited since their diagnostics were last published: published even if unchanged.
    var editedFiles: Set<String> = []
    /// What was last published per file, to skip publications that change nothing.
    var published: [String: JSONValue] = [:]
    /// Failures of the last test run per file, shown with the check's diagnostics.
    var testDiagnostics: [String: [String: [JSONValue]]] = [:]
    /// When the oldest change not yet published was read.
    var changeReadAt: ContinuousClock.Instant?

    public init(input: Int32, output: Int32, configuration: Configuration = Configuration()) {
        reader = MessageReader(fd: input)
        writer = MessageWriter(fd: output)
        self.configuration = configuration
    }

    /// Serves until `exit` or the end of input; returns the exit code the
    /// protocol asks for (0 after `shutdown`, else 1).
    public func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        while exitCode == nil {
            let item = reader.next()
            let readAt = ContinuousClock.now
            switch item {
            case .endOfInput:
                return state == .shutDown ? 0 : 1
            case .malformed(let reason):
                sendError(id: .null, LSPError(code: LSPError.parseError, message: "malformed message: \(reason)"))
            case .message(let body):
                handle(body, readAt: readAt)
            }
            if exitCode == nil, !unpublished.isEmpty || !staleDirectories.isEmpty,
               !reader.hasBufferedItem, !reader.inputWaiting {
                publishDiagnostics()
            }
        }
        return exitCode ?? 1
    }

    // MARK: Messages

    func handle(_ body: Data, readAt: ContinuousClock.Instant) {
        let message: JSONValue
        do {
            message = try JSONValue.parse(body)
        } catch {
            sendError(id: .null, LSPError(code: LSPError.parseError, message: "the message is not JSON"))
            return
        }
        guard case .object(let fields) = message else {
            sendError(id: .null, LSPError(code: LSPError.invalidRequest, message: "a message must be a JSON object"))
            return
        }
        let id = fields["id"]
        guard let method = fields["method"]?.string else {
            // A response to a request of ours (none needs an answer), or nonsense.
            if id != nil, fields["result"] != nil || fields["error"] != nil { return }
            sendError(id: validID(id) ?? .null, LSPError(code: LSPError.invalidRequest, message: "a message without a method"))
            return
        }
        let params = fields["params"]
        if let id {
            guard let rid = validID(id) else {
                sendError(id: .null, LSPError(code: LSPError.invalidRequest, message: "a request id must be a number or a string"))
                return
            }
            do {
                let result = try request(method, params)
                writer.send(["jsonrpc": "2.0", "id": rid, "result": result])
            } catch let e as LSPError {
                sendError(id: rid, e)
            } catch {
                sendError(id: rid, LSPError(code: LSPError.internalError, message: "\(error)"))
            }
        } else {
            do {
                try notification(method, params, readAt: readAt)
            } catch {
                log("\(method): \((error as? LSPError)?.message ?? "\(error)")")
            }
        }
    }

    func validID(_ id: JSONValue?) -> JSONValue? {
        switch id {
        case .int?, .string?: return id
        default: return nil
        }
    }

    func sendError(id: JSONValue, _ e: LSPError) {
        writer.send(["jsonrpc": "2.0", "id": id, "error": ["code": .int(e.code), "message": .string(e.message)]])
    }

    func notify(_ method: String, _ params: JSONValue) {
        writer.send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// A message in the editor's log (`window/logMessage`, type Log).
    func log(_ text: String) {
        notify("window/logMessage", ["type": 4, "message": .string("linja: " + text)])
    }

    /// A message the editor shows (1 error, 2 warning, 3 info).
    func show(_ text: String, type: Int) {
        notify("window/showMessage", ["type": .int(type), "message": .string(text)])
    }

    // MARK: Requests

    func request(_ method: String, _ params: JSONValue?) throws -> JSONValue {
        switch state {
        case .waiting:
            guard method == "initialize" else {
                throw LSPError(code: LSPError.serverNotInitialized, message: "the server is not initialized")
            }
            state = .running
            return initializeResult()
        case .shutDown:
            throw LSPError(code: LSPError.invalidRequest, message: "the server is shut down")
        case .running:
            break
        }
        if method != "shutdown" { bringUpToDate() }
        switch method {
        case "initialize":
            throw LSPError(code: LSPError.invalidRequest, message: "the server is already initialized")
        case "shutdown":
            state = .shutDown
            return .null
        case "textDocument/hover": return try hover(params)
        case "textDocument/definition": return try definition(params)
        case "textDocument/references": return try references(params)
        case "textDocument/prepareRename": return try prepareRename(params)
        case "textDocument/rename": return try rename(params)
        case "textDocument/documentSymbol": return try documentSymbols(params)
        case "textDocument/completion": return try completion(params)
        case "textDocument/formatting": return try formatting(params)
        case "textDocument/rangeFormatting": return try rangeFormatting(params)
        case "textDocument/codeAction": return try codeActions(params)
        case "textDocument/codeLens": return try codeLenses(params)
        case "workspace/executeCommand": return try executeCommand(params)
        default:
            throw LSPError(code: LSPError.methodNotFound, message: "unknown method \(method)")
        }
    }

    func initializeResult() -> JSONValue {
        [
            "capabilities": [
                "positionEncoding": "utf-16",
                "textDocumentSync": ["openClose": true, "change": 2, "save": ["includeText": false]],
                "hoverProvider": true,
                "definitionProvider": true,
                "referencesProvider": true,
                "renameProvider": ["prepareProvider": true],
                "documentSymbolProvider": true,
                "completionProvider": ["triggerCharacters": [".", "\""], "resolveProvider": false],
                "documentFormattingProvider": true,
                "documentRangeFormattingProvider": true,
                "codeActionProvider": ["codeActionKinds": ["quickfix"]],
                "codeLensProvider": ["resolveProvider": false],
                "executeCommandProvider": ["commands": [.string(Self.runTestsCommand)]],
            ],
            "serverInfo": ["name": "linja", "version": "0.1.0"],
        ]
    }

    // MARK: Notifications

    func notification(_ method: String, _ params: JSONValue?, readAt: ContinuousClock.Instant) throws {
        if method == "exit" {
            exitCode = state == .shutDown ? 0 : 1
            return
        }
        guard state == .running else { return }
        switch method {
        case "textDocument/didOpen":
            guard let d = params?["textDocument"], let uri = d["uri"]?.string, let text = d["text"]?.string else {
                throw LSPError.invalidParams("didOpen without textDocument.uri and text")
            }
            let doc = TextDocument(uri: uri, version: d["version"]?.int ?? 0, text: text)
            workspace.documents[uri] = doc
            changed(doc, readAt: readAt)
        case "textDocument/didChange":
            guard let uri = params?["textDocument"]?["uri"]?.string, var doc = workspace.documents[uri] else {
                throw LSPError.invalidParams("didChange of a document that is not open")
            }
            guard let changes = params?["contentChanges"]?.array else {
                throw LSPError.invalidParams("didChange without contentChanges")
            }
            for c in changes {
                guard let text = c["text"]?.string else { throw LSPError.invalidParams("a content change without text") }
                if c["range"] != nil, c["range"]?.isNull == false {
                    guard let r = LSPRange(c["range"]) else { throw LSPError.invalidParams("a content change with a bad range") }
                    doc.apply(range: r, text: text)
                } else {
                    doc.apply(range: nil, text: text)
                }
            }
            if let v = params?["textDocument"]?["version"]?.int { doc.version = v }
            workspace.documents[uri] = doc
            if let p = doc.path { testDiagnostics[p] = nil }
            changed(doc, readAt: readAt)
        case "textDocument/didClose":
            guard let uri = params?["textDocument"]?["uri"]?.string, let doc = workspace.documents.removeValue(forKey: uri) else { return }
            // Back to the text on disk.
            changed(doc, readAt: readAt)
        case "textDocument/didSave", "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration":
            break
        case "workspace/didChangeWatchedFiles":
            // Files created, deleted or changed outside the editor: check every policy again.
            let all = Array(workspace.policies.keys)
            workspace.knownRoots.removeAll()
            staleDirectories.formUnion(all)
            if changeReadAt == nil { changeReadAt = readAt }
        default:
            break
        }
    }

    /// A document's text changed (or opened, or closed): its policy and every
    /// policy importing it are checked again.
    func changed(_ doc: TextDocument, readAt: ContinuousClock.Instant) {
        guard let path = doc.path, path.hasSuffix(".linja") else { return }
        let dir = Workspace.directory(of: path)
        if workspace.policies[dir] == nil {
            workspace.ensureLoaded(directory: dir)
            unpublished.formUnion(workspace.files(ofPolicies: workspace.policies(including: dir)))
        } else {
            staleDirectories.formUnion(workspace.policies(including: dir))
        }
        editedFiles.insert(path)
        unpublished.insert(path)
        if changeReadAt == nil { changeReadAt = readAt }
    }

    /// Checks the policies edits have made stale.
    func bringUpToDate() {
        guard !staleDirectories.isEmpty else { return }
        let dirs = staleDirectories.sorted()
        staleDirectories.removeAll()
        workspace.check(dirs)
        unpublished.formUnion(workspace.files(ofPolicies: dirs))
    }

    // MARK: Diagnostics

    /// Publishes the diagnostics of every file that may have changed.
    func publishDiagnostics() {
        bringUpToDate()
        let files = unpublished.sorted()
        unpublished.removeAll()
        for path in files {
            let edited = editedFiles.contains(path)
            let found = workspace.diagnostics(ofFile: path)
            let tests = (testDiagnostics[path] ?? [:]).sorted { $0.key < $1.key }.flatMap(\.value)
            // A file with nothing to show that showed nothing stays as it is.
            if found.isEmpty, tests.isEmpty, !edited, published[path]?.array?.isEmpty ?? true { continue }
            let (diagnostics, _) = lspDiagnostics(ofFile: path, found)
            let all = JSONValue.array(diagnostics + tests)
            if published[path] == all, !edited { continue }
            published[path] = all
            var params: [String: JSONValue] = ["uri": .string(workspace.uri(for: path)), "diagnostics": all]
            if let d = workspace.document(path: path) { params["version"] = .int(d.version) }
            notify("textDocument/publishDiagnostics", .object(params))
        }
        editedFiles.removeAll()
        if let t = changeReadAt {
            configuration.onRecheck?(ContinuousClock.now - t)
            changeReadAt = nil
        }
        // Policies replaced by this check are freed now, after the answer.
        workspace.retired.removeAll()
    }

    /// A file's diagnostics in the protocol's form, and the fixes of those
    /// whose help says "did you mean `x`?".
    func lspDiagnostics(ofFile path: String, _ found: [Diagnostic]? = nil)
        -> ([JSONValue], [(range: LSPRange, diagnostic: JSONValue, replacement: String)]) {
        let found = found ?? workspace.diagnostics(ofFile: path)
        guard !found.isEmpty else { return ([], []) }
        // Positions in the text that was checked.
        guard let map = found.first?.span.file.map({ LineMap(bytes: $0.bytes) }) ?? workspace.lineMap(ofFile: path) else { return ([], []) }
        var out: [JSONValue] = []
        var fixList: [(range: LSPRange, diagnostic: JSONValue, replacement: String)] = []
        for d in found {
            let range = map.range(d.span.start..<d.span.end)
            var message = d.message
            var related: [JSONValue] = []
            for n in d.notes {
                if let s = n.span, let f = s.file {
                    let p = workspace.absolute(f.path)
                    let m = p == path ? map : (workspace.lineMap(ofFile: p) ?? LineMap(bytes: f.bytes))
                    related.append(["location": ["uri": .string(workspace.uri(for: p)), "range": m.range(s.start..<s.end).json],
                                    "message": .string(n.message)])
                } else {
                    message += "\nnote: \(n.message)"
                }
            }
            if let h = d.help { message += "\nhelp: \(h)" }
            var j: [String: JSONValue] = [
                "range": range.json,
                "severity": .int(Self.severity(d.severity)),
                "code": .string(d.code.rawValue),
                "source": "linja",
                "message": .string(message),
            ]
            if !related.isEmpty { j["relatedInformation"] = .array(related) }
            let replacement = Self.replacement(for: d)
            if let r = replacement { j["data"] = ["replacement": .string(r)] }
            let json = JSONValue.object(j)
            out.append(json)
            if let r = replacement { fixList.append((range, json, r)) }
        }
        return (out, fixList)
    }

    static func severity(_ s: Severity) -> Int {
        switch s {
        case .error: return 1
        case .warning: return 2
        case .note: return 3
        }
    }

    /// The text a "did you mean `x`?" help puts in place of the diagnostic's
    /// span: quoted when the span was quoted or the name needs quotes.
    static func replacement(for d: Diagnostic) -> String? {
        guard let help = d.help, let r = help.range(of: "did you mean ") else { return nil }
        var rest = help[r.upperBound...]
        if rest.hasPrefix("the field ") { rest = rest.dropFirst("the field ".count) }
        guard rest.first == "`", let close = rest.dropFirst().firstIndex(of: "`") else { return nil }
        let word = String(rest[rest.index(after: rest.startIndex)..<close])
        guard !word.isEmpty else { return nil }
        let original = d.span.text
        if original.hasPrefix("\"") || (!Names.isWord(word) && !word.contains(".")) {
            return "\"" + word + "\""
        }
        return word
    }

    // MARK: Helpers for handlers

    /// The open document a request is about.
    func document(_ params: JSONValue?) throws -> TextDocument {
        guard let uri = params?["textDocument"]?["uri"]?.string else { throw LSPError.invalidParams("no textDocument.uri") }
        guard let d = workspace.documents[uri] else { throw LSPError.invalidParams("the document is not open: \(uri)") }
        return d
    }

    func position(_ params: JSONValue?) throws -> LSPPosition {
        guard let p = LSPPosition(params?["position"]) else { throw LSPError.invalidParams("no position") }
        return p
    }

    /// The location of a byte range in a file, for answers.
    func location(_ path: String, _ range: Range<Int>) -> JSONValue? {
        guard let map = workspace.lineMap(ofFile: path) else { return nil }
        return ["uri": .string(workspace.uri(for: path)), "range": map.range(range).json]
    }
}
