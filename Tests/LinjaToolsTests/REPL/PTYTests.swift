// End-to-end tests of `linja repl` on a real pseudo-terminal: the line
// editor, history and completion of the terminal front end, driving the
// real binary.
//
// A child process runs with a pty slave as stdin/stdout/stderr; the test
// types into the master and reads what the child draws.
//
// Which program runs (see `PTYTarget.resolve()`):
// - `LINJA_PTY_EXECUTABLE`: path to the program; `LINJA_PTY_ARGUMENTS`:
//   its arguments, separated by spaces. If this is set but the file is
//   missing, the tests fail.
// - otherwise `linja` (run as `linja repl rules/etela-keski-suomi --as-of
//   2026-05-01`) from the build products directory: the directory of the
//   running test binary, where `swift test` also builds the package's
//   executables (the CLITests target depends on `linja`), then
//   `.build/debug` under the package root and the working directory.
//   If it is in none of them the tests fail: they are never skipped.
// What the program is expected to do:
// - `LINJA_PTY_PROMPT`: its prompt (default "linja> ").
// - how an accepted line shows: `linja repl` prints the value and type of
//   each expression the tests type (`PTYTarget.replOutputs`); another
//   program may print each accepted line with the prefix in
//   `LINJA_PTY_ECHO_PREFIX` (e.g. "got: "), or nothing (an empty prefix).
// - `LINJA_PTY_COMPLETION`: "typed=completed", a word prefix with a unique
//   Tab completion (default "Petä=Petäjävesi", a municipality).
// The child gets TERM=xterm-256color, HOME set to a temporary directory and
// LINJA_HISTORY pointing into it, so the user's history file is untouched.

import Foundation
import Glibc
import Testing

@testable import LinjaTools

// MARK: - Target

struct PTYTarget {
    var executable: String
    var arguments: [String]
    var prompt: String
    /// What the program prints after accepting a line, or nil to check nothing.
    var output: @Sendable (String) -> String?
    var completionTyped: String
    var completionResult: String
    /// Whether this is `linja repl` (with a continuation prompt).
    var isLinjaRepl: Bool

    /// The package root, found from this file.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Programs looked for in the build products, in order, with their arguments.
    static let defaultCandidates: [(name: String, arguments: [String])] = [
        ("linja", ["repl", packageRoot + "/rules/etela-keski-suomi", "--as-of", "2026-05-01"])
    ]

    /// What `linja repl` prints for the lines the tests accept.
    static let replOutputs: [String: String] = [
        "\"Mänttä\"": "\"Mänttä\" : text",
        "1 + 1": "2 : integer",
        "Petäjävesi": "Petäjävesi : group",
        "2 * 3": "6 : integer",
        "1": "1 : integer",
        "2": "2 : integer",
        "2 + 2": "4 : integer",
        "(1 +": "",
        "2)": "3 : integer",
    ]

    enum Resolution {
        case found(PTYTarget)
        case misconfigured(String)
    }

    static let resolution = resolve(environment: ProcessInfo.processInfo.environment)

    static func resolve(environment: [String: String]) -> Resolution {
        let prompt = environment["LINJA_PTY_PROMPT"] ?? "linja> "
        let completion = (environment["LINJA_PTY_COMPLETION"] ?? "Petä=Petäjävesi").split(separator: "=", maxSplits: 1)
        let typed = completion.first.map(String.init) ?? "Petä"
        let completed = completion.count > 1 ? String(completion[1]) : "Petäjävesi"
        if let path = environment["LINJA_PTY_EXECUTABLE"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                return .misconfigured("LINJA_PTY_EXECUTABLE=\(path) is not an executable file")
            }
            let arguments = (environment["LINJA_PTY_ARGUMENTS"] ?? "").split(separator: " ").map(String.init)
            let prefix = environment["LINJA_PTY_ECHO_PREFIX"] ?? ""
            return .found(PTYTarget(
                executable: path, arguments: arguments, prompt: prompt,
                output: { line in prefix.isEmpty ? nil : prefix + line },
                completionTyped: typed, completionResult: completed, isLinjaRepl: arguments.first == "repl"))
        }
        let directories = buildProductDirectories()
        for candidate in defaultCandidates {
            for directory in directories {
                let path = directory + "/" + candidate.name
                if FileManager.default.isExecutableFile(atPath: path) {
                    return .found(PTYTarget(
                        executable: path, arguments: candidate.arguments, prompt: prompt,
                        output: { line in replOutputs[line] },
                        completionTyped: typed, completionResult: completed, isLinjaRepl: true))
                }
            }
        }
        let names = defaultCandidates.map(\.name).joined(separator: ", ")
        return .misconfigured(
            "no \(names) in \(directories.joined(separator: ", ")); build it (swift build) or set LINJA_PTY_EXECUTABLE")
    }

    /// The directory holding the running test binary, where SwiftPM also
    /// puts the package's executables, then `.build/debug` under the
    /// package root and the working directory.
    static func buildProductDirectories() -> [String] {
        var directories: [String] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            // On some platforms the test binary sits inside an .xctest bundle.
            while directory.path.contains(".xctest") { directory = directory.deletingLastPathComponent() }
            directories.append(directory.path)
        }
        for local in [packageRoot + "/.build/debug", FileManager.default.currentDirectoryPath + "/.build/debug"]
        where !directories.contains(local) {
            directories.append(local)
        }
        return directories
    }
}

// MARK: - Session

/// A child process on a pseudo-terminal: type into it and read its screen.
///
/// Spawned with `posix_spawn` (no `fork` in the multithreaded test
/// process) as the leader of a new session whose controlling terminal is
/// the pty. Every wait has a timeout, so a stuck child fails the test
/// instead of hanging the suite.
final class PTYSession {
    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case timedOut(expected: String, received: String)
        case closed(expected: String, received: String)

        var description: String {
            switch self {
            case .system(let call, let error):
                return "\(call) failed: \(String(cString: strerror(error)))"
            case .timedOut(let expected, let received):
                return "timed out waiting for \(PTYSession.visible(expected)); unread output: \(received)"
            case .closed(let expected, let received):
                return "terminal closed while waiting for \(PTYSession.visible(expected)); unread output: \(received)"
            }
        }
    }

    enum Termination: Equatable {
        case exited(Int32)
        case signaled(Int32)
    }

    let processID: pid_t
    let master: Int32
    /// Output not yet consumed by `readUntil`.
    private var unread: [UInt8] = []
    /// Everything the child wrote, for diagnostics.
    private(set) var transcript: [UInt8] = []
    private var termination: Termination?
    private var isClosed = false

    init(
        executable: String, arguments: [String] = [], environment: [String: String],
        columns: UInt16 = 80, rows: UInt16 = 24
    ) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw Failure.system("openpty", errno) }
        // Other children spawned meanwhile must not inherit our ends: a
        // stray copy of the slave would keep the pty open after our child exits.
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        defer { Glibc.close(slave) }
        var nameBuffer = [CChar](repeating: 0, count: 256)
        guard ttyname_r(slave, &nameBuffer, nameBuffer.count) == 0 else {
            Glibc.close(master)
            throw Failure.system("ttyname_r", errno)
        }
        let slavePath = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened after setsid(), so the pty becomes the controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        let setSession: Int32 = 0x80  // POSIX_SPAWN_SETSID (glibc 2.26), not imported into Swift
        posix_spawnattr_setflags(&attributes, Int16(setSession | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGPIPE, SIGCHLD, SIGWINCH] {
            sigaddset(&defaultSignals, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv + [nil], envp + [nil])
        guard status == 0 else {
            Glibc.close(master)
            throw Failure.system("posix_spawn \(executable)", status)
        }
        self.processID = pid
        self.master = master
    }

    deinit { close() }

    /// Types `bytes` into the terminal.
    func send(_ bytes: [UInt8]) throws {
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if written > 0 {
                remaining = remaining.dropFirst(written)
            } else if written < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                throw Failure.system("write to pty", errno)
            }
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads until `text` has appeared, consumes output up to its end and
    /// returns that output.
    @discardableResult
    func readUntil(_ text: String, timeout: Duration = .seconds(3)) throws -> String {
        let needle = Array(text.utf8)
        let deadline = ContinuousClock.now + timeout
        while true {
            if let end = Self.endOfMatch(of: needle, in: unread) {
                let consumed = String(decoding: unread[..<end], as: UTF8.self)
                unread.removeSubrange(..<end)
                return consumed
            }
            switch readMore(until: deadline) {
            case .data: continue
            case .timedOut: throw Failure.timedOut(expected: text, received: Self.visible(unread))
            case .closed: throw Failure.closed(expected: text, received: Self.visible(unread))
            }
        }
    }

    /// Reads everything until the child closes the terminal, then reaps it.
    func waitForExit(timeout: Duration = .seconds(3)) throws -> Termination {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch readMore(until: deadline) {
            case .data: continue
            case .timedOut: throw Failure.timedOut(expected: "<exit>", received: Self.visible(unread))
            case .closed: break
            }
            break
        }
        while ContinuousClock.now < deadline {
            if let termination = reap(blocking: false) { return termination }
            usleep(5_000)
        }
        throw Failure.timedOut(expected: "<exit>", received: Self.visible(unread))
    }

    /// Kills the child if it still runs and releases the terminal.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if termination == nil, reap(blocking: false) == nil {
            kill(processID, SIGKILL)
            _ = reap(blocking: true)
        }
        Glibc.close(master)
    }

    /// Current terminal attributes (shared by master and slave on Linux).
    func attributes() -> termios? {
        var attributes = termios()
        return tcgetattr(master, &attributes) == 0 ? attributes : nil
    }

    // MARK: Internals

    private enum ReadOutcome { case data, timedOut, closed }

    private func readMore(until deadline: ContinuousClock.Instant) -> ReadOutcome {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return .timedOut }
            let milliseconds = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .closed
            }
            if ready == 0 { return .timedOut }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if count > 0 {
                unread.append(contentsOf: buffer[..<count])
                transcript.append(contentsOf: buffer[..<count])
                return .data
            }
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            return .closed  // EIO: every slave descriptor is closed
        }
    }

    private func reap(blocking: Bool) -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        let result = waitpid(processID, &status, blocking ? 0 : WNOHANG)
        guard result == processID else { return nil }
        let signal = status & 0x7F
        termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        return termination
    }

    private static func endOfMatch(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty else { return 0 }
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start + needle.count }
        }
        return nil
    }

    /// Output with escapes and line ends made readable.
    static func visible(_ bytes: [UInt8]) -> String {
        visible(String(decoding: bytes, as: UTF8.self))
    }

    static func visible(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}", with: "␛")
            .replacingOccurrences(of: "\r", with: "\\r")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

// MARK: - Tests

@Suite(.serialized)
struct PTYTests {
    /// Starts the target on a fresh pty with its own HOME and history file.
    private func start(_ target: PTYTarget, home: URL) throws -> PTYSession {
        let parent = ProcessInfo.processInfo.environment
        let environment = [
            "PATH": parent["PATH"] ?? "/usr/bin:/bin",
            "HOME": home.path,
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "LINJA_HISTORY": home.appendingPathComponent("history").path,
        ]
        return try PTYSession(executable: target.executable, arguments: target.arguments, environment: environment)
    }

    private func temporaryHome() throws -> URL {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("linja-pty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        return home
    }

    /// Runs `body` against the target, or fails saying why it cannot run.
    /// Sessions given the same `home` share the history file.
    private func withSession(home: URL? = nil, _ body: (PTYSession, PTYTarget) throws -> Void) throws {
        let target: PTYTarget
        switch PTYTarget.resolution {
        case .found(let found): target = found
        case .misconfigured(let message):
            Issue.record(Comment(rawValue: message))
            return
        }
        let directory = try home ?? temporaryHome()
        let session = try start(target, home: directory)
        defer {
            session.close()
            if home == nil { try? FileManager.default.removeItem(at: directory) }
        }
        do {
            try session.readUntil(target.prompt, timeout: .seconds(10))
            try body(session, target)
        } catch {
            Issue.record(Comment(rawValue: "\(error)\ntranscript: \(PTYSession.visible(session.transcript))"))
        }
    }

    /// Waits for proof that `line` was accepted: the editor's final frame
    /// (prompt, line, cursor at its end) followed by a newline, then what the
    /// program prints for it, then (unless more input is already queued,
    /// which draws the prompt together with the line) the next prompt.
    private func expectAccepted(
        _ line: String, in session: PTYSession, target: PTYTarget, prompt: String? = nil, thenPrompt: Bool = true
    ) throws {
        let shownPrompt = prompt ?? target.prompt
        let column = DisplayWidth.columns(ofPrompt: shownPrompt) + DisplayWidth.columns(of: line)
        try session.readUntil("\(shownPrompt)\(line)\u{1B}[0K\r\u{1B}[\(column)C\r\n")
        if let output = target.output(line), !output.isEmpty { try session.readUntil("\(output)\r\n") }
        if thenPrompt { try session.readUntil(target.prompt) }
    }

    private static let left = "\u{1B}[D"
    private static let up = "\u{1B}[A"

    @Test func insertingInsideAFinnishWordOnARealTerminal() throws {
        try withSession { session, target in
            try session.send("\"Mäntä\"")
            try session.readUntil("\"Mäntä\"")
            try session.send(Self.left + Self.left + "t")
            try session.readUntil("\"Mänttä\"")
            try session.send("\r")
            try expectAccepted("\"Mänttä\"", in: session, target: target)
        }
    }

    @Test func upArrowRecallsThePreviousLine() throws {
        try withSession { session, target in
            try session.send("1 + 1\r")
            try expectAccepted("1 + 1", in: session, target: target)
            try session.send(Self.up)
            try session.readUntil("1 + 1")
            try session.send("\r")
            try expectAccepted("1 + 1", in: session, target: target)
        }
    }

    @Test func tabCompletesAUniqueCandidate() throws {
        try withSession { session, target in
            try session.send(target.completionTyped)
            try session.readUntil(target.completionTyped)
            try session.send("\t")
            try session.send("\r")
            try expectAccepted(target.completionResult, in: session, target: target)
        }
    }

    @Test func controlCCancelsTheLineAndPromptsAgain() throws {
        try withSession { session, target in
            try session.send("unfinished")
            try session.readUntil("unfinished")
            try session.send([0x03])
            try session.readUntil("^C\r\n")
            try session.readUntil(target.prompt)
            try session.send("2 * 3\r")
            try expectAccepted("2 * 3", in: session, target: target)
            let transcript = String(decoding: session.transcript, as: UTF8.self)
            let column = DisplayWidth.columns(ofPrompt: target.prompt) + 10
            #expect(!transcript.contains("unfinished\u{1B}[0K\r\u{1B}[\(column)C\r\n"))
            #expect(transcript.contains("unfinished\u{1B}[0K\r\u{1B}[\(column)C^C\r\n"))
            // The cancelled line was never evaluated (it would be an unknown name).
            #expect(!transcript.contains("`unfinished`"))
        }
    }

    @Test func controlCDropsAnInputThatContinues() throws {
        try withSession { session, target in
            guard target.isLinjaRepl else { return }
            try session.send("(1 +\r")
            try expectAccepted("(1 +", in: session, target: target, thenPrompt: false)
            try session.readUntil("...> ")
            try session.send([0x03])
            try session.readUntil("^C\r\n")
            try session.readUntil(target.prompt)
            try session.send("(1 +\r")
            try expectAccepted("(1 +", in: session, target: target, thenPrompt: false)
            try session.send("2)\r")
            try expectAccepted("2)", in: session, target: target, prompt: "...> ")
        }
    }

    @Test func controlDOnAnEmptyLineExits() throws {
        try withSession { session, _ in
            try session.send([0x04])
            #expect(try session.waitForExit() == .exited(0))
        }
    }

    @Test func linesTypedAheadAreNotLost() throws {
        try withSession { session, target in
            try session.send("1\r2\r")
            try expectAccepted("1", in: session, target: target, thenPrompt: false)
            try expectAccepted("2", in: session, target: target)
        }
    }

    @Test func historyIsKeptForTheNextSession() throws {
        let home = try temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        try withSession(home: home) { session, target in
            try session.send("2 + 2\r")
            try expectAccepted("2 + 2", in: session, target: target)
            try session.send([0x04])
            _ = try session.waitForExit()
        }
        try withSession(home: home) { session, target in
            try session.send(Self.up + "\r")
            try expectAccepted("2 + 2", in: session, target: target)
        }
    }

    @Test func theTerminalIsRawWhileEditingAndRestoredAfterSIGTERM() throws {
        try withSession { session, _ in
            let raw = try #require(session.attributes())
            #expect(raw.c_lflag & tcflag_t(ICANON | ECHO) == 0)
            kill(session.processID, SIGTERM)
            // The REPL dies by the signal; a program with its own SIGTERM
            // handler may exit instead. Either way the mode must be back.
            _ = try session.waitForExit()
            let restored = try #require(session.attributes())
            #expect(restored.c_lflag & tcflag_t(ICANON | ECHO) == tcflag_t(ICANON | ECHO))
        }
    }
}
