import Foundation
import LinjaBase
import LinjaSyntax
import LinjaModel
import LinjaSemantics

/// Finds policy directories and loads a policy with its imports.
///
/// A policy is a directory holding `.linja` files. It may import another
/// directory by a relative path (`import "../common"`) that stays inside the
/// rules tree: the directory `linja` was pointed at, or, when pointed at a
/// policy directory itself, that directory's parent.
///
/// Symbolic links are compared by where they lead, never by their text: a
/// directory is visited once however many links reach it, a link out of the
/// rules tree is not followed, and only regular files inside the tree (or in
/// the policy directory named) are read as rule files. Anything else is a
/// diagnostic that quotes nothing of what the link leads to.
public enum PolicyLoader {
    /// The policy directories at or under `path` (a directory of rule files,
    /// a tree of them, or a single `.linja` file's directory).
    public static func discover(_ path: String) -> (policies: [String], root: String)? {
        let kind = Paths.kind(path)
        guard kind != .missing else { return nil }
        let full = Paths.normalize(path)
        if kind != .directory {
            let dir = (full as NSString).deletingLastPathComponent
            return ([dir], (dir as NSString).deletingLastPathComponent)
        }
        if !ruleFiles(in: full).isEmpty {
            return ([full], (full as NSString).deletingLastPathComponent)
        }
        guard let realRoot = Paths.real(full) else { return nil }
        var found: [String] = []
        var seen: Set<String> = [realRoot]
        func walk(_ d: String, depth: Int) {
            guard depth < 16 else { return }
            if !ruleFiles(in: d).isEmpty { found.append(d) }
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).sorted()
            for e in entries where !e.hasPrefix(".") {
                let sub = d + "/" + e
                // Each real directory once, and never one outside the tree:
                // `ln -s . again` or `up -> ..` would otherwise be walked
                // forever (or 16 levels, once per path).
                guard Paths.kind(sub) == .directory, let real = Paths.real(sub),
                      Paths.isInside(real, realRoot), seen.insert(real).inserted else { continue }
                walk(sub, depth: depth + 1)
            }
        }
        walk(full, depth: 0)
        return (found, full)
    }

    /// The `.linja` entries of a directory, sorted by name (what they are
    /// is checked when they are read).
    public static func ruleFiles(in dir: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return entries.filter { $0.hasSuffix(".linja") && !$0.hasPrefix(".") }.sorted().map { dir + "/" + $0 }
    }

    /// Why a `.linja` entry is not read, or nil when it is a regular file
    /// whose real path lies inside one of `trees` (real paths). The reason
    /// names the entry only, never what a link leads to.
    public static func unreadableReason(_ path: String, inside trees: [String]) -> String? {
        let shown = Paths.display(path)
        guard let real = Paths.real(path) else {
            return Paths.isLink(path) ? "`\(shown)` is a link that leads nowhere" : "cannot read `\(shown)`"
        }
        guard trees.contains(where: { Paths.isInside(real, $0) }) else {
            return "`\(shown)` is a link to a file outside the rules tree; it is not read"
        }
        switch Paths.kind(real) {
        case .regular: return nil
        case .directory: return "`\(shown)` is a directory, not a rule file"
        case .other: return "`\(shown)` is not a regular file (a device, pipe or socket); it is not read"
        case .missing: return "cannot read `\(shown)`"
        }
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
        // Directories by real path: loaded, and being loaded (with their text, for messages).
        var loaded: Set<String> = []
        var loading: [(real: String, shown: String)] = []
        let normRoot = Paths.normalize(root)
        let realRoot = Paths.real(normRoot) ?? normRoot

        func unreadable(_ path: String, _ message: String) {
            let f = SourceFile(path: Paths.display(path), bytes: [])
            diagnostics.append(Diagnostic(.unreadable, message, at: Span(file: f, start: 0, end: 0),
                                          help: "a rule file is a regular file inside the rules tree `\(Paths.display(normRoot))`"))
        }

        func loadDir(_ dir: String, real: String, trees: [String], extra: [SourceFile]) {
            loading.append((real, dir))
            defer { loading.removeLast() }
            var files: [PolicyFile] = []
            for path in ruleFiles(in: dir) {
                let shown = Paths.display(path)
                func parse(_ bytes: [UInt8]) -> PolicyFile {
                    parsed?.parse(path: shown, bytes: bytes) ?? Parser.parse(SourceFile(path: shown, bytes: bytes))
                }
                if let bytes = replacing[path] {
                    files.append(parse(bytes))
                    continue
                }
                if let reason = unreadableReason(path, inside: trees) {
                    unreadable(path, reason)
                    continue
                }
                guard let data = FileManager.default.contents(atPath: path) else {
                    unreadable(path, "cannot read `\(shown)`")
                    continue
                }
                files.append(parse([UInt8](data)))
            }
            for f in extra { files.append(Parser.parse(f)) }
            for file in files {
                for case .importDecl(let imp) in file.declarations {
                    let target = Paths.normalize(dir + "/" + imp.path)
                    if !(target == normRoot || target.hasPrefix(normRoot + "/")) {
                        diagnostics.append(Diagnostic(.importOutsideRoot, "import `\(imp.path)` leaves the rules tree", at: imp.span,
                                                      help: "imports are relative paths inside `\(Paths.display(normRoot))`"))
                        continue
                    }
                    guard Paths.kind(target) == .directory, !ruleFiles(in: target).isEmpty, let realTarget = Paths.real(target) else {
                        diagnostics.append(Diagnostic(.importNotFound, "import `\(imp.path)`: no directory of rule files at `\(Paths.display(target))`",
                                                      at: imp.span))
                        continue
                    }
                    if !Paths.isInside(realTarget, realRoot) {
                        diagnostics.append(Diagnostic(.importOutsideRoot, "import `\(imp.path)` leaves the rules tree through a symbolic link",
                                                      at: imp.span, help: "imports are relative paths inside `\(Paths.display(normRoot))`; a link out of it is not followed"))
                        continue
                    }
                    if loading.contains(where: { $0.real == realTarget }) {
                        diagnostics.append(Diagnostic(.importCycle, "import `\(imp.path)` makes a cycle: " +
                                                      (loading.map(\.shown) + [target]).map { Paths.display($0) }.joined(separator: " → "), at: imp.span))
                        continue
                    }
                    if loaded.contains(realTarget) { continue }
                    // Named by its place in the tree, not by the links on the way.
                    let canonical = normRoot + String(realTarget.dropFirst(realRoot.count))
                    loadDir(canonical, real: realTarget, trees: [realRoot], extra: [])
                }
            }
            loaded.insert(real)
            units.append(PolicyUnit(directory: dir, files: files))
        }
        let dir = Paths.normalize(directory)
        let realDir = Paths.real(dir) ?? dir
        // The policy named is read even when a link puts it outside the tree
        // (it was asked for); what it imports must be inside.
        loadDir(dir, real: realDir, trees: [realRoot, realDir], extra: extraFiles)
        return (units, diagnostics)
    }
}

extension Policy {
    /// Loads and checks the policy in `directory` (with its imports).
    /// `replacing` gives other contents for files (by absolute path): mutation testing, editors.
    /// `parsed` keeps parses between loads (the language server).
    public static func load(directory: String, root: String? = nil, extraFiles: [SourceFile] = [],
                            replacing: [String: [UInt8]] = [:], parsed: ParsedFiles? = nil) -> Policy {
        let r = root ?? Paths.normalize(directory + "/..")
        let (units, loadDiagnostics) = PolicyLoader.load(directory: directory, root: r, extraFiles: extraFiles, replacing: replacing,
                                                         parsed: parsed)
        return Policy.check(directory: Paths.normalize(directory), root: r, units: units,
                            loaderDiagnostics: loadDiagnostics)
    }
}
