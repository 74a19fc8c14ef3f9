import Foundation
import Linja
@testable import LinjaTools

/// Paths and checks the formatter tests share.
enum FormatSupport {
    /// The package's root directory (this file is Tests/LinjaToolsTests/Format/FormatSupport.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let goldenDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Golden")

    static var rulesDirectory: URL { packageRoot.appendingPathComponent("rules") }

    /// Every `.linja` file under a directory, sorted, as paths.
    static func linjaFiles(under dir: URL) -> [String] {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: dir.path) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            if rel.hasSuffix(".linja") { out.append(dir.appendingPathComponent(rel).path) }
        }
        return out.sorted()
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func format(_ text: String, path: String = "test.linja") -> Result<String, [Diagnostic]> {
        Formatter.format(SourceFile(path: path, text: text))
    }

    /// The texts of a file's comments as a sorted multiset.
    static func commentTexts(_ text: String) -> [String] {
        Parser.parse(SourceFile(path: "c.linja", text: text)).comments.map(\.text).sorted()
    }

    static func declarations(_ text: String) -> [Declaration] {
        Parser.parse(SourceFile(path: "d.linja", text: text)).declarations
    }

    /// What is wrong with `formatted` as the formatting of `original`:
    /// a different tree, other comments, not idempotent, long lines without
    /// a reason. Empty when all holds.
    static func problems(original: String, formatted: String) -> [String] {
        var out: [String] = []
        if declarations(original) != declarations(formatted) { out.append("the syntax tree changed") }
        if commentTexts(original) != commentTexts(formatted) { out.append("the comments changed") }
        switch format(formatted) {
        case .success(let again):
            if again != formatted { out.append("formatting again changes it:\n" + firstDifference(formatted, again)) }
        case .failure(let ds):
            out.append("the formatted text does not format: \(ds.map(\.message))")
        }
        if formatted.contains(" \n") { out.append("trailing white space") }
        if formatted.contains("\t") { out.append("a tab") }
        return out
    }

    /// The first line where two texts differ, for failure messages.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<none>"
            let y = i < lb.count ? String(lb[i]) : "<none>"
            if x != y { return "line \(i + 1):\n- \(x)\n+ \(y)" }
        }
        return "(no difference)"
    }
}
