import Foundation

/// Parsed rule files kept between loads, for a program that checks the same
/// policies again and again (the language server, after each edit): a file
/// whose path and bytes are the same as last time is not parsed again.
/// Parsing is about half of checking a policy, and an edit changes one file.
public final class ParsedFiles: @unchecked Sendable {
    private var files: [String: PolicyFile] = [:]
    private let lock = NSLock()

    public init() {}

    /// The parse of these bytes at this path, from the last load if they are unchanged.
    func parse(path: String, bytes: [UInt8]) -> PolicyFile {
        lock.lock()
        let known = files[path]
        lock.unlock()
        if let f = known, f.file.bytes == bytes { return f }
        let f = Parser.parse(SourceFile(path: path, bytes: bytes))
        lock.lock()
        files[path] = f
        lock.unlock()
        return f
    }
}
