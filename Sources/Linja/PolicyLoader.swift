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
public enum PolicyLoader {
    /// The policy directories at or under `path` (a directory of rule files,
    /// a tree of them, or a single `.linja` file's directory).
    public static func discover(_ path: String) -> (policies: [String], root: String)? {
        var isDir: ObjCBool = false
        let fm = FileManager.default
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        let full = Paths.normalize(path)
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
        let normRoot = Paths.normalize(root)

        func loadDir(_ dir: String, extra: [SourceFile]) {
            loading.append(dir)
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
                    let target = Paths.normalize(dir + "/" + imp.path)
                    if !(target == normRoot || target.hasPrefix(normRoot + "/")) {
                        diagnostics.append(Diagnostic(.importOutsideRoot, "import `\(imp.path)` leaves the rules tree", at: imp.span,
                                                      help: "imports are relative paths inside `\(Paths.display(normRoot))`"))
                        continue
                    }
                    if loading.contains(target) {
                        diagnostics.append(Diagnostic(.importCycle, "import `\(imp.path)` makes a cycle: " +
                                                      (loading + [target]).map { Paths.display($0) }.joined(separator: " → "), at: imp.span))
                        continue
                    }
                    if loaded.contains(target) { continue }
                    var isDir: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue,
                          !ruleFiles(in: target).isEmpty else {
                        diagnostics.append(Diagnostic(.importNotFound, "import `\(imp.path)`: no directory of rule files at `\(Paths.display(target))`",
                                                      at: imp.span))
                        continue
                    }
                    loadDir(target, extra: [])
                }
            }
            loaded.insert(dir)
            units.append(PolicyUnit(directory: dir, files: files))
        }
        let dir = Paths.normalize(directory)
        loadDir(dir, extra: extraFiles)
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
