// Input history for the REPL, kept in a file across sessions.
//
// The file holds one entry per line, oldest first. Each accepted line is
// appended at once, so a crash loses nothing and two sessions can share the
// file; it is cut back to `capacity` entries when it grows too long.

import Foundation
import Glibc

/// A failure to read or write the history file.
public struct HistoryError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    public let path: String
    /// What failed: "open", "read", "write" or "replace".
    public let operation: String
    /// The system error number.
    public let errno: Int32

    /// A message for the user, e.g. "cannot open history file …: Permission denied".
    public var description: String {
        "cannot \(operation) history file \(path): \(String(cString: strerror(errno)))"
    }
}

/// Earlier input lines, oldest first, optionally backed by a file.
///
/// Empty (all-blank) lines, lines with line breaks, and a line equal to the
/// one before it are not recorded.
public struct History: Sendable {
    /// Entries kept unless the caller says otherwise.
    public static let defaultCapacity = 1000

    /// The backing file, or nil for history kept in memory only.
    public let fileURL: URL?
    /// Most entries kept, in memory and in the file.
    public let capacity: Int
    /// The entries, oldest first.
    public private(set) var entries: [String] = []
    /// Lines in the file as far as we know, to decide when to compact it.
    private var fileLineCount = 0

    /// An empty history; call `load()` to read the file.
    public init(fileURL: URL? = nil, capacity: Int = History.defaultCapacity) {
        self.fileURL = fileURL
        self.capacity = max(capacity, 1)
    }

    /// The history file to use: `$LINJA_HISTORY` if set (empty disables the
    /// file), else `~/.linja_history`; nil when there is no home directory.
    public static func defaultFileURL(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL? {
        if let path = environment["LINJA_HISTORY"] {
            return path.isEmpty ? nil : URL(fileURLWithPath: path)
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return URL(fileURLWithPath: home).appendingPathComponent(".linja_history")
    }

    /// Replaces the entries with the file's. A missing file is an empty
    /// history. A file longer than `capacity` is rewritten with its newest
    /// entries.
    public mutating func load() throws {
        guard let fileURL else { return }
        guard let data = try Self.readFile(fileURL) else {
            entries = []
            fileLineCount = 0
            return
        }
        var loaded: [String] = []
        var lineCount = 0
        for rawLine in data.split(separator: 0x0A, omittingEmptySubsequences: true) {
            lineCount += 1
            var line = rawLine[...]
            if line.last == 0x0D { line = line.dropLast() }
            let text = String(decoding: line, as: UTF8.self)
            if Self.isRecordable(text), loaded.last != text { loaded.append(text) }
        }
        entries = Array(loaded.suffix(capacity))
        fileLineCount = lineCount
        if lineCount > capacity { try rewriteFile() }
    }

    /// Records `line` and appends it to the file.
    ///
    /// The entry is kept in memory even if writing the file fails (the error
    /// is thrown so the caller can say so once).
    /// - Returns: whether the line was recorded.
    @discardableResult
    public mutating func add(_ line: String) throws -> Bool {
        guard Self.isRecordable(line), entries.last != line else { return false }
        entries.append(line)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        guard let fileURL else { return true }
        try Self.write(Array((line + "\n").utf8), to: fileURL, appending: true)
        fileLineCount += 1
        if fileLineCount > capacity * 2 { try rewriteFile() }
        return true
    }

    /// Only non-blank single lines are worth recalling.
    static func isRecordable(_ line: String) -> Bool {
        !line.allSatisfy(\.isWhitespace) && !line.contains(where: \.isNewline)
    }

    /// Replaces the file with the current entries, through a temporary file
    /// and rename so that a crash leaves either the old or the new file.
    private mutating func rewriteFile() throws {
        guard let fileURL else { return }
        let temporary = fileURL.deletingLastPathComponent()
            .appendingPathComponent(".\(fileURL.lastPathComponent).\(getpid()).tmp")
        let contents = entries.map { $0 + "\n" }.joined()
        try Self.write(Array(contents.utf8), to: temporary, appending: false)
        guard rename(temporary.path, fileURL.path) == 0 else {
            let error = Glibc.errno
            unlink(temporary.path)
            throw HistoryError(path: fileURL.path, operation: "replace", errno: error)
        }
        fileLineCount = entries.count
    }

    /// Writes with POSIX calls: O_APPEND keeps concurrent sessions' lines
    /// whole, and the file is created private (0600) since input may hold
    /// sensitive values.
    private static func write(_ bytes: [UInt8], to url: URL, appending: Bool) throws {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (appending ? O_APPEND : O_TRUNC)
        let descriptor = open(url.path, flags, 0o600)
        guard descriptor >= 0 else {
            throw HistoryError(path: url.path, operation: "open", errno: Glibc.errno)
        }
        defer { close(descriptor) }
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                remaining = remaining.dropFirst(written)
            } else if written < 0, Glibc.errno == EINTR {
                continue
            } else {
                throw HistoryError(path: url.path, operation: "write", errno: Glibc.errno)
            }
        }
    }

    /// The file's bytes, or nil if it does not exist.
    private static func readFile(_ url: URL) throws -> [UInt8]? {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if Glibc.errno == ENOENT { return nil }
            throw HistoryError(path: url.path, operation: "open", errno: Glibc.errno)
        }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                contents.append(contentsOf: buffer[..<count])
            } else if count == 0 {
                return contents
            } else if Glibc.errno != EINTR {
                throw HistoryError(path: url.path, operation: "read", errno: Glibc.errno)
            }
        }
    }
}
