import Foundation
import Linja

/// The file side of `linja fmt`: which files a path names, and what
/// formatting each would do, without writing anything.
public enum FormatFiles {
    /// A path that names no file or directory.
    public struct MissingPath: Error, Sendable {
        public var path: String
    }

    /// The `.linja` files at or under `paths`, in the order given (a
    /// directory's files sorted, recursively, skipping hidden entries), each once.
    public static func collect(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        let fm = FileManager.default
        func add(_ p: String) {
            if seen.insert(Paths.normalize(p)).inserted { out.append(p) }
        }
        func walk(_ dir: String, depth: Int) {
            guard depth < 32 else { return }
            let entries = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            for e in entries where !e.hasPrefix(".") {
                let sub = dir.hasSuffix("/") ? dir + e : dir + "/" + e
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: sub, isDirectory: &isDir) else { continue }
                if isDir.boolValue {
                    walk(sub, depth: depth + 1)
                } else if e.hasSuffix(".linja") {
                    add(sub)
                }
            }
        }
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw MissingPath(path: p) }
            if isDir.boolValue { walk(p, depth: 0) } else { add(p) }
        }
        return out
    }

    /// What formatting one file gives.
    public struct FileResult: Sendable {
        public var path: String
        /// The canonical text, or nil when the file does not parse or cannot be read.
        public var formatted: String?
        /// The file is not in canonical form (always false when `formatted` is nil).
        public var changed: Bool
        public var diagnostics: [Diagnostic]
        /// Set when the file could not be read.
        public var unreadable: Bool
    }

    /// Formats the text of one file (read from `path`, or given as `bytes`).
    public static func format(path: String, bytes: [UInt8]? = nil) -> FileResult {
        guard let data = bytes ?? FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
            return FileResult(path: path, formatted: nil, changed: false, diagnostics: [], unreadable: true)
        }
        let source = SourceFile(path: path, bytes: data)
        switch Formatter.format(source) {
        case .success(let text):
            return FileResult(path: path, formatted: text, changed: Array(text.utf8) != data, diagnostics: [],
                          unreadable: false)
        case .failure(let ds):
            return FileResult(path: path, formatted: nil, changed: false, diagnostics: ds, unreadable: false)
        }
    }
}
