import Foundation
import Linja

/// The file side of `linja fmt`: which files a path names, and what
/// formatting each would do, without writing anything.
public enum FormatFiles {
    /// A path that names no file or directory.
    public struct MissingPath: Error, Sendable {
        public var path: String
    }

    /// A `.linja` entry that is not read: a link out of the tree, a device,
    /// a pipe (see `PolicyLoader.unreadableReason`).
    public struct Unreadable: Error, Sendable {
        public var path: String
        public var reason: String
    }

    /// The `.linja` files at or under `paths`, in the order given (a
    /// directory's files sorted, recursively, skipping hidden entries), each
    /// once. In a directory, links are followed only inside it, each real
    /// directory once, and every `.linja` entry must be a regular file inside
    /// it; a file named on its own must be a regular file.
    public static func collect(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        var problem: Unreadable?
        func add(_ p: String) {
            if seen.insert(Paths.real(p) ?? Paths.normalize(p)).inserted { out.append(p) }
        }
        func walk(_ dir: String, tree: String, visited: inout Set<String>, depth: Int) {
            guard depth < 32 else { return }
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            for e in entries where !e.hasPrefix(".") {
                let sub = dir.hasSuffix("/") ? dir + e : dir + "/" + e
                if e.hasSuffix(".linja") {
                    if let reason = PolicyLoader.unreadableReason(sub, inside: [tree]) {
                        if problem == nil { problem = Unreadable(path: sub, reason: reason) }
                    } else {
                        add(sub)
                    }
                    continue
                }
                guard Paths.kind(sub) == .directory, let real = Paths.real(sub), Paths.isInside(real, tree),
                      visited.insert(real).inserted else { continue }
                walk(sub, tree: tree, visited: &visited, depth: depth + 1)
            }
        }
        for p in paths {
            switch Paths.kind(p) {
            case .missing: throw MissingPath(path: p)
            case .directory:
                guard let tree = Paths.real(p) else { throw MissingPath(path: p) }
                var visited: Set<String> = [tree]
                walk(p, tree: tree, visited: &visited, depth: 0)
            case .regular: add(p)
            case .other: throw Unreadable(path: p, reason: "`\(p)` is not a regular file (a device, pipe or socket)")
            }
        }
        if let problem { throw problem }
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
