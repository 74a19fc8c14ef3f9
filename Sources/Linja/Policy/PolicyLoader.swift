import Foundation

/// One directory of rule files, parsed.
public struct PolicyUnit: Sendable {
    /// The directory, as a normalised path.
    public var directory: String
    public var files: [PolicyFile]
}

/// Finds policy directories and loads a policy with its imports.
///
/// A policy is a directory holding `.linja` files. It may import another
/// directory by a relative path (`import "../common"`) that stays inside the
/// rules tree: the directory `linja` was pointed at, or, when pointed at a
/// policy directory itself, that directory's parent.
public enum PolicyLoader {
    /// The policy directories at or under `path` (a directory of rule files,
    /// a tree of them, or a single `.linja` file's directory).
    public static func discover(_ path: String) -> (policies: [String], root: String)? {
        var isDir: ObjCBool = false
        let fm = FileManager.default
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        let full = normalize(path)
        if !isDir.boolValue {
            let dir = (full as NSString).deletingLastPathComponent
            return ([dir], (dir as NSString).deletingLastPathComponent)
        }
        if !ruleFiles(in: full).isEmpty {
            return ([full], (full as NSString).deletingLastPathComponent)
        }
        var found: [String] = []
        func walk(_ d: String, depth: Int) {
            guard depth < 16 else { return }
            if !ruleFiles(in: d).isEmpty { found.append(d) }
            let entries = ((try? fm.contentsOfDirectory(atPath: d)) ?? []).sorted()
            for e in entries where !e.hasPrefix(".") {
                let sub = d + "/" + e
                var isSub: ObjCBool = false
                if fm.fileExists(atPath: sub, isDirectory: &isSub), isSub.boolValue { walk(sub, depth: depth + 1) }
            }
        }
        walk(full, depth: 0)
        return (found, full)
    }

    /// The `.linja` files of a directory, sorted by name.
    public static func ruleFiles(in dir: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return entries.filter { $0.hasSuffix(".linja") && !$0.hasPrefix(".") }.sorted().map { dir + "/" + $0 }
    }

    /// An absolute path with `.` and `..` resolved (symbolic links kept).
    public static func normalize(_ path: String) -> String {
        let abs = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for p in abs.split(separator: "/") {
            if p == "." || p.isEmpty { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The path to show in messages: relative to the working directory when inside it.
    public static func display(_ path: String) -> String {
        let cwd = normalize(FileManager.default.currentDirectoryPath)
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }

    /// Loads the policy in `directory` and everything it imports, imports
    /// first (each directory once), the policy itself last. `extraFiles` are
    /// added to the policy itself (REPL input, a test's `check` text).
    /// `parsed` keeps parses between loads (unchanged files are not parsed again).
    public static func load(directory: String, root: String, extraFiles: [SourceFile] = [],
                            replacing: [String: [UInt8]] = [:],
                            parsed: ParsedFiles? = nil) -> (units: [PolicyUnit], diagnostics: [Diagnostic]) {
        var units: [PolicyUnit] = []
        var diagnostics: [Diagnostic] = []
        var loaded: Set<String> = []
        var loading: [String] = []
        let normRoot = normalize(root)

        func loadDir(_ dir: String, extra: [SourceFile]) {
            loading.append(dir)
            defer { loading.removeLast() }
            var files: [PolicyFile] = []
            for path in ruleFiles(in: dir) {
                let shown = display(path)
                func parse(_ bytes: [UInt8]) -> PolicyFile {
                    parsed?.parse(path: shown, bytes: bytes) ?? Parser.parse(SourceFile(path: shown, bytes: bytes))
                }
                if let bytes = replacing[path] {
                    files.append(parse(bytes))
                    continue
                }
                guard let data = FileManager.default.contents(atPath: path) else {
                    let f = SourceFile(path: shown, bytes: [])
                    diagnostics.append(Diagnostic(.unreadable, "cannot read `\(shown)`", at: Span(file: f, start: 0, end: 0)))
                    continue
                }
                files.append(parse([UInt8](data)))
            }
            for f in extra { files.append(Parser.parse(f)) }
            for file in files {
                for case .importDecl(let imp) in file.declarations {
                    let target = normalize(dir + "/" + imp.path)
                    if !(target == normRoot || target.hasPrefix(normRoot + "/")) {
                        diagnostics.append(Diagnostic(.importOutsideRoot, "import `\(imp.path)` leaves the rules tree", at: imp.span,
                                                      help: "imports are relative paths inside `\(display(normRoot))`"))
                        continue
                    }
                    if loading.contains(target) {
                        diagnostics.append(Diagnostic(.importCycle, "import `\(imp.path)` makes a cycle: " +
                                                      (loading + [target]).map { display($0) }.joined(separator: " → "), at: imp.span))
                        continue
                    }
                    if loaded.contains(target) { continue }
                    var isDir: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue,
                          !ruleFiles(in: target).isEmpty else {
                        diagnostics.append(Diagnostic(.importNotFound, "import `\(imp.path)`: no directory of rule files at `\(display(target))`",
                                                      at: imp.span))
                        continue
                    }
                    loadDir(target, extra: [])
                }
            }
            loaded.insert(dir)
            units.append(PolicyUnit(directory: dir, files: files))
        }
        let dir = normalize(directory)
        loadDir(dir, extra: extraFiles)
        return (units, diagnostics)
    }

    /// A fingerprint of the rule text: SHA-256 over every file's path (relative
    /// to the rules tree) and bytes, in a fixed order.
    public static func fingerprint(_ units: [PolicyUnit], root: String) -> String {
        var h = SHA256Hasher()
        let all = units.flatMap { u in u.files.map { ($0.file.path, $0.file.bytes) } }.sorted { $0.0 < $1.0 }
        for (path, bytes) in all {
            let name = (path as NSString).lastPathComponent
            let dir = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            h.update(Array("\(dir)/\(name)\n\(bytes.count)\n".utf8))
            h.update(bytes)
        }
        return h.finalize().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
