import Dispatch
import Foundation
import Linja

/// The policies the editor's documents belong to, checked with the text the
/// editor has (unsaved edits included), and the diagnostics of every file.
///
/// A rule file's policy is its directory; the rules tree is that
/// directory's parent, as for `linja check DIR`. Every policy directory in
/// the tree is loaded, so the server knows which policies import a file:
/// an edit in `rules/common` re-checks `rules/common` and both areas, and
/// nothing else.
final class Workspace {
    /// One checked policy and the directories it was built from.
    struct Checked {
        var directory: String
        var root: String
        var policy: Policy
        /// The policy's own directory and every directory it imports.
        var directories: Set<String>
        /// Its diagnostics by the absolute path of their file.
        var diagnosticsByFile: [String: [Diagnostic]]
    }

    /// Open documents by URI.
    var documents: [String: TextDocument] = [:]
    /// Checked policies by their directory.
    var policies: [String: Checked] = [:]
    /// Rules trees already searched for policy directories.
    var knownRoots: Set<String> = []
    /// Symbol indexes by policy directory, built when first asked for.
    var indexes: [String: SymbolIndex] = [:]
    /// Policies replaced by the last check, freed once its diagnostics are out.
    var retired: [Any] = []
    /// Parses kept between checks: an edit parses only the edited file again.
    let parsed = ParsedFiles()
    /// Absolute paths of the display paths `SourceFile`s carry.
    var absoluteCache: [String: String] = [:]

    // MARK: Documents

    func document(uri: String) -> TextDocument? { documents[uri] }

    func document(path: String) -> TextDocument? {
        documents.values.first { $0.path == path }
    }

    /// The URI to use for a path: the editor's own for an open document.
    func uri(for path: String) -> String {
        document(path: path)?.uri ?? DocumentURI.uri(path)
    }

    /// The text of a rule file as the server sees it: the editor's, or the disk's.
    func bytes(ofFile path: String) -> [UInt8]? {
        if let d = document(path: path) { return d.bytes }
        return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    func lineMap(ofFile path: String) -> LineMap? {
        if let d = document(path: path) { return d.map }
        return bytes(ofFile: path).map(LineMap.init)
    }

    // MARK: Paths

    static func directory(of path: String) -> String { (path as NSString).deletingLastPathComponent }

    /// The absolute path of a `SourceFile`'s path (a display path, relative
    /// to the working directory when inside it).
    func absolute(_ shown: String) -> String {
        if let a = absoluteCache[shown] { return a }
        let a = Paths.normalize(shown)
        absoluteCache[shown] = a
        return a
    }

    // MARK: Finding policies

    /// The policy directories at or under `root`: at most 6 levels deep and
    /// 2,000 directories, skipping hidden ones and build output, so that a
    /// file opened in a large directory cannot make the server walk it all.
    static func discover(root: String) -> [String] {
        var found: [String] = []
        var queue: [(String, Int)] = [(root, 0)]
        var visited = 0
        let fm = FileManager.default
        while !queue.isEmpty, visited < 2_000 {
            let (dir, depth) = queue.removeFirst()
            visited += 1
            guard let entries = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            if entries.contains(where: { $0.hasSuffix(".linja") && !$0.hasPrefix(".") }) { found.append(dir) }
            guard depth < 6 else { continue }
            for e in entries.sorted() where !e.hasPrefix(".") && e != "node_modules" {
                let sub = dir + "/" + e
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: sub, isDirectory: &isDir), isDir.boolValue { queue.append((sub, depth + 1)) }
            }
        }
        return found.sorted()
    }

    /// Policy directories found under each rules tree searched.
    var treePolicies: [String: [String]] = [:]

    /// The directories a policy directory's files import, read from their
    /// `import "…"` lines without parsing (to find importers cheaply).
    static func imports(ofDirectory dir: String) -> [String] {
        var out: [String] = []
        for file in PolicyLoader.ruleFiles(in: dir) {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for line in String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
                let t = line.drop { $0 == " " || $0 == "\t" }
                guard t.hasPrefix("import"), let open = t.firstIndex(of: "\"") else { continue }
                let rest = t[t.index(after: open)...]
                guard let close = rest.firstIndex(of: "\"") else { continue }
                out.append(Paths.normalize(dir + "/" + rest[..<close]))
            }
        }
        return out
    }

    /// Makes sure the policy of `directory` is loaded, with every policy of
    /// its rules tree that imports it (directly or through another import);
    /// returns the policy directories checked now.
    @discardableResult
    func ensureLoaded(directory: String) -> [String] {
        if policies[directory] != nil { return [] }
        let root = Self.directory(of: directory)
        if !knownRoots.contains(root) {
            knownRoots.insert(root)
            treePolicies[root] = Self.discover(root: root)
        }
        let candidates = (treePolicies[root] ?? []).filter { $0 != directory }
        let importsOf = Dictionary(uniqueKeysWithValues: candidates.map { ($0, Set(Self.imports(ofDirectory: $0))) })
        var needed: Set<String> = [directory]
        var grew = true
        while grew {
            grew = false
            for c in candidates where !needed.contains(c) && !(importsOf[c] ?? []).isDisjoint(with: needed) {
                needed.insert(c)
                grew = true
            }
        }
        let toCheck = needed.filter { policies[$0] == nil }.sorted()
        check(toCheck)
        return toCheck
    }

    /// The checked policies whose own or imported directories include `directory`.
    func policies(including directory: String) -> [String] {
        policies.values.filter { $0.directories.contains(directory) }.map(\.directory).sorted()
    }

    // MARK: Checking

    /// Checks the policies of these directories again, in parallel, with the
    /// open documents' text in place of the files on disk.
    func check(_ directories: [String]) {
        guard !directories.isEmpty else { return }
        var replacing: [String: [UInt8]] = [:]
        var unsaved: [String: [SourceFile]] = [:]
        let fm = FileManager.default
        for d in documents.values {
            guard let p = d.path, p.hasSuffix(".linja") else { continue }
            if fm.fileExists(atPath: p) {
                replacing[p] = d.bytes
            } else {
                // A new file not yet saved: part of its directory's policy.
                unsaved[Self.directory(of: p), default: []].append(SourceFile(path: Paths.display(p), bytes: d.bytes))
            }
        }
        let jobs = directories.map { dir in (dir, Self.directory(of: dir), unsaved[dir] ?? []) }
        let results = ParallelResults<Policy>(count: jobs.count)
        let parsed = self.parsed
        let work: @Sendable (Int) -> Void = { [replacing] i in
            let (dir, root, extra) = jobs[i]
            results.set(i, Policy.load(directory: dir, root: root, extraFiles: extra, replacing: replacing, parsed: parsed))
        }
        if jobs.count == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: jobs.count, execute: work) }
        for (i, job) in jobs.enumerated() {
            guard let policy = results.get(i) else { continue }
            if let old = policies[job.0] { retired.append(old) }
            policies[job.0] = Checked(directory: job.0, root: job.1, policy: policy,
                                      directories: Set(policy.units.map(\.directory)),
                                      diagnosticsByFile: group(policy))
            if let old = indexes.removeValue(forKey: job.0) { retired.append(old) }
        }
    }

    /// A policy's diagnostics by absolute file path. One without a place
    /// goes to the policy's first file.
    func group(_ policy: Policy) -> [String: [Diagnostic]] {
        var out: [String: [Diagnostic]] = [:]
        let fallback = policy.units.last?.files.first.map { absolute($0.file.path) }
        for d in policy.diagnostics {
            if let f = d.span.file {
                out[absolute(f.path), default: []].append(d)
            } else if let fb = fallback {
                out[fb, default: []].append(d)
            }
        }
        return out
    }

    /// The rule files of these policies and of everything they import.
    func files(ofPolicies directories: [String]) -> [String] {
        var out = Set<String>()
        for d in directories {
            guard let c = policies[d] else { continue }
            for u in c.policy.units { for f in u.files { out.insert(absolute(f.file.path)) } }
        }
        return out.sorted()
    }

    /// Every diagnostic `linja check` gives for a file, once: a shared
    /// file's diagnostic found by each policy that imports it is shown once.
    func diagnostics(ofFile path: String) -> [Diagnostic] {
        let dir = Self.directory(of: path)
        var all: [Diagnostic] = []
        for p in policies(including: dir) {
            all += policies[p]?.diagnosticsByFile[path] ?? []
        }
        var seen = Set<String>()
        var out: [Diagnostic] = []
        for d in DiagnosticBag.sort(all) {
            let key = "\(d.span.start):\(d.span.end):\(d.code.rawValue):\(d.message)"
            if seen.insert(key).inserted { out.append(d) }
        }
        return out
    }

    // MARK: Symbols

    /// The symbol index of a policy, built once per check.
    func index(ofPolicy directory: String) -> SymbolIndex? {
        if let i = indexes[directory] { return i }
        guard let c = policies[directory] else { return nil }
        let i = SymbolIndex(policy: c.policy, absolute: absolute)
        indexes[directory] = i
        return i
    }

    /// The index of the policy a file belongs to (its directory's).
    func index(ofFile path: String) -> SymbolIndex? {
        let dir = Self.directory(of: path)
        if policies[dir] == nil { ensureLoaded(directory: dir) }
        return index(ofPolicy: dir)
    }
}

/// Results written by parallel workers, each to its own slot.
final class ParallelResults<T>: @unchecked Sendable {
    private var items: [T?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) {
        lock.lock()
        items[i] = v
        lock.unlock()
    }
    func get(_ i: Int) -> T? {
        lock.lock()
        defer { lock.unlock() }
        return items[i]
    }
}
