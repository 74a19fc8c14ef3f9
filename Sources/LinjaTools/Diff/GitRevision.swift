import Foundation
import Linja

/// A committed version of a rules tree, extracted from git into a temporary
/// directory with the same relative layout, so that a policy's imports
/// (`import "../common"`) resolve as they did at that commit. Only reads
/// the repository (`git rev-parse`, `git archive`); `remove()` deletes the
/// temporary copy.
public struct GitRevisionTree: Sendable {
    /// The revision as given (`HEAD`, `v2026`, a hash).
    public let revision: String
    /// The commit it names.
    public let commit: String
    /// The temporary directory holding everything extracted.
    public let directory: String
    /// The rules tree (the policy's root) at the revision.
    public let root: String
    /// The policy directory at the revision.
    public let policyDirectory: String
    /// Paths in the temporary tree, shown as `REV:path/in/repository`.
    public let pathRewrite: (from: String, to: String)
    /// How reports name this version: `HEAD:rules/etela-keski-suomi`.
    public let label: String

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Extracts the rules tree `root` (a directory in a git working tree)
    /// as it was at `revision`; `policyDirectory` is inside `root`.
    public static func extract(revision: String, policyDirectory: String, root: String) throws -> GitRevisionTree {
        guard !revision.isEmpty, !revision.hasPrefix("-"), !revision.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw Failure(message: "'\(revision)' is not a revision")
        }
        let rootAbs = Paths.normalize(root)
        let policyAbs = Paths.normalize(policyDirectory)
        guard policyAbs == rootAbs || policyAbs.hasPrefix(rootAbs + "/") else {
            throw Failure(message: "\(policyDirectory) is not inside \(root)")
        }
        let relative = policyAbs == rootAbs ? "" : String(policyAbs.dropFirst(rootAbs.count + 1))
        let prefixRun = try run(["git", "-C", rootAbs, "rev-parse", "--show-prefix"])
        guard prefixRun.status == 0 else {
            throw Failure(message: "\(Paths.display(rootAbs)) is not in a git repository: \(prefixRun.err.trimmed)")
        }
        let topRun = try run(["git", "-C", rootAbs, "rev-parse", "--show-toplevel"])
        let top = topRun.out.trimmed
        guard topRun.status == 0, !top.isEmpty else {
            throw Failure(message: "\(Paths.display(rootAbs)) is not in a git working tree: \(topRun.err.trimmed)")
        }
        var prefix = prefixRun.out.trimmed
        while prefix.hasSuffix("/") { prefix.removeLast() }
        let verify = try run(["git", "-C", rootAbs, "rev-parse", "--verify", "--quiet", "\(revision)^{commit}"])
        let commit = verify.out.trimmed
        guard verify.status == 0, !commit.isEmpty else {
            throw Failure(message: "no commit '\(revision)' in the repository" + (verify.err.trimmed.isEmpty ? "" : ": \(verify.err.trimmed)"))
        }
        let temp = NSTemporaryDirectory() + "linja-diff-" + UUID().uuidString
        let tree = temp + "/tree"
        do {
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        } catch {
            throw Failure(message: "cannot create a temporary directory: \(error.localizedDescription)")
        }
        let shownRoot = prefix.isEmpty ? "." : prefix
        do {
            let tar = temp + "/revision.tar"
            let archive = try run(["git", "-C", top, "archive", "--format=tar", "-o", tar, prefix.isEmpty ? commit : "\(commit):\(prefix)"])
            guard archive.status == 0 else {
                throw Failure(message: "\(shownRoot) does not exist at \(revision): \(archive.err.trimmed)")
            }
            let extract = try run(["tar", "-x", "-f", tar, "-C", tree])
            guard extract.status == 0 else { throw Failure(message: "cannot extract \(revision): \(extract.err.trimmed)") }
            try? FileManager.default.removeItem(atPath: tar)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
        let policyAtRevision = relative.isEmpty ? tree : tree + "/" + relative
        let repoPath = [prefix, relative].filter { !$0.isEmpty }.joined(separator: "/")
        if PolicyLoader.ruleFiles(in: policyAtRevision).isEmpty {
            try? FileManager.default.removeItem(atPath: temp)
            throw Failure(message: "\(repoPath.isEmpty ? "." : repoPath) has no rule files (.linja) at \(revision)")
        }
        let rewrite = (from: Paths.display(tree) + "/", to: revision + ":" + (prefix.isEmpty ? "" : prefix + "/"))
        return GitRevisionTree(revision: revision, commit: commit, directory: temp, root: tree, policyDirectory: policyAtRevision,
                               pathRewrite: rewrite, label: "\(revision):\(repoPath.isEmpty ? "." : repoPath)")
    }

    /// Deletes the temporary copy.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a program found on PATH; its output is small (git archive writes to a file).
    static func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["LC_ALL"] = "C"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do {
            try p.run()
        } catch {
            throw Failure(message: "cannot run \(arguments.first ?? "a program"): \(error.localizedDescription)")
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus == 127 {
            throw Failure(message: "cannot run \(arguments.first ?? "a program"): not found")
        }
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
