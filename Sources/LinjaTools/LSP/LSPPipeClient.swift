import Foundation
import Linja

/// A small Language Server Protocol client that runs a `LanguageServer` on
/// a thread of this process and talks to it over two pipes, as an editor
/// would over standard input and output. For the tests and the benchmark.
public final class LSPPipeClient: @unchecked Sendable {
    public let server: LanguageServer
    let toServer: Int32
    let reader: MessageReader
    let writer: MessageWriter
    let done = DispatchSemaphore(value: 0)
    let exitBox = ParallelResults<Int32>(count: 1)
    var nextID = 1
    /// Notifications and server requests received and not yet taken.
    public var inbox: [JSONValue] = []
    var closed = false

    public init(configuration: LanguageServer.Configuration = LanguageServer.Configuration()) {
        var a: [Int32] = [0, 0]
        var b: [Int32] = [0, 0]
        _ = pipe(&a)
        _ = pipe(&b)
        server = LanguageServer(input: a[0], output: b[1], configuration: configuration)
        toServer = a[1]
        reader = MessageReader(fd: b[0])
        writer = MessageWriter(fd: a[1])
        let (server, serverIn, serverOut, done, box) = (server, a[0], b[1], done, exitBox)
        let thread = Thread {
            box.set(0, server.run())
            close(serverOut)
            close(serverIn)
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit {
        if !closed { _ = finish() }
        close(reader.fd)
    }

    /// Sends a message as given.
    public func send(_ message: JSONValue) { writer.send(message) }

    /// Sends raw bytes (for malformed input).
    public func sendRaw(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { p in write(toServer, p.baseAddress! + offset, bytes.count - offset) }
            if n <= 0 { break }
            offset += n
        }
    }

    public func notify(_ method: String, _ params: JSONValue) {
        send(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    public struct Timeout: Error, CustomStringConvertible {
        public var waitingFor: String
        public var description: String { "no answer from the server: \(waitingFor)" }
    }

    /// Sends a request and returns its response (the whole message); other
    /// messages received meanwhile go to the inbox.
    public func request(_ method: String, _ params: JSONValue = .null, timeout: Int = 10_000) throws -> JSONValue {
        let id = nextID
        nextID += 1
        send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
        return try response(id: .int(id), timeout: timeout, what: method)
    }

    /// Waits for the response with this id.
    public func response(id: JSONValue, timeout: Int = 10_000, what: String = "a response") throws -> JSONValue {
        let deadline = ContinuousClock.now + .milliseconds(timeout)
        while true {
            guard let m = try receive(until: deadline, what: what) else { continue }
            if m["id"] == id, m["method"] == nil { return m }
            inbox.append(m)
        }
    }

    func receive(until deadline: ContinuousClock.Instant, what: String) throws -> JSONValue? {
        let left = deadline - ContinuousClock.now
        let ms = Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        guard ms > 0, let item = reader.next(timeoutMilliseconds: ms) else { throw Timeout(waitingFor: what) }
        switch item {
        case .message(let data): return try JSONValue.parse(data)
        case .malformed(let why): throw Timeout(waitingFor: "\(what) (a malformed message came: \(why))")
        case .endOfInput: throw Timeout(waitingFor: "\(what) (the server closed its output)")
        }
    }

    /// Takes the first message (from the inbox, else as it arrives) that
    /// matches; the others stay in the inbox.
    public func take(timeout: Int = 10_000, what: String = "a notification", where match: (JSONValue) -> Bool) throws -> JSONValue {
        if let i = inbox.firstIndex(where: match) { return inbox.remove(at: i) }
        let deadline = ContinuousClock.now + .milliseconds(timeout)
        while true {
            guard let m = try receive(until: deadline, what: what) else { continue }
            if match(m) { return m }
            inbox.append(m)
        }
    }

    /// The next diagnostics published for a URI.
    public func diagnostics(for uri: String, timeout: Int = 10_000) throws -> [JSONValue] {
        let m = try take(timeout: timeout, what: "diagnostics for \(uri)") {
            $0["method"]?.string == "textDocument/publishDiagnostics" && $0["params"]?["uri"]?.string == uri
        }
        return m["params"]?["diagnostics"]?.array ?? []
    }

    /// `initialize` and `initialized`.
    @discardableResult
    public func initialize(root: String? = nil) throws -> JSONValue {
        let r = try request("initialize", ["processId": .null, "rootUri": root.map { .string(DocumentURI.uri($0)) } ?? .null,
                                            "capabilities": [:]])
        notify("initialized", [:])
        return r
    }

    public func open(_ path: String, text: String? = nil, version: Int = 1) throws {
        let t = try text ?? String(contentsOfFile: path, encoding: .utf8)
        notify("textDocument/didOpen", ["textDocument": ["uri": .string(DocumentURI.uri(path)), "languageId": "linja",
                                                         "version": .int(version), "text": .string(t)]])
    }

    /// Replaces a document's whole text.
    public func change(_ path: String, text: String, version: Int) {
        notify("textDocument/didChange", ["textDocument": ["uri": .string(DocumentURI.uri(path)), "version": .int(version)],
                                          "contentChanges": [["text": .string(text)]]])
    }

    /// Replaces a range of a document (UTF-16 positions).
    public func change(_ path: String, range: LSPRange, text: String, version: Int) {
        notify("textDocument/didChange", ["textDocument": ["uri": .string(DocumentURI.uri(path)), "version": .int(version)],
                                          "contentChanges": [["range": range.json, "text": .string(text)]]])
    }

    /// `shutdown` and `exit`; the server's exit code, or nil if it did not end in time.
    @discardableResult
    public func finish(timeout: Int = 10_000) -> Int32? {
        if !closed {
            closed = true
            if let code = waitForExit(timeout: 0) {
                close(toServer)
                return code
            }
            _ = try? request("shutdown", timeout: timeout)
            notify("exit", .null)
            close(toServer)
        }
        return waitForExit(timeout: timeout)
    }

    /// Closes the server's input without `shutdown`.
    public func closeInput() {
        if !closed {
            closed = true
            close(toServer)
        }
    }

    public func waitForExit(timeout: Int = 10_000) -> Int32? {
        guard done.wait(timeout: .now() + .milliseconds(timeout)) == .success else { return nil }
        done.signal()
        return exitBox.get(0)
    }
}
