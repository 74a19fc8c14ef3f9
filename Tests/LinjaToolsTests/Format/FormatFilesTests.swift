import Foundation
import Linja
import Testing
@testable import LinjaTools

/// The file side of `linja fmt`: which files a path names and what
/// formatting each would do.
struct FormatFilesTests {
    private func temporaryTree(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("linja-fmt-files-\(UUID().uuidString)")
        for (rel, text) in files {
            let url = root.appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func directoriesAreSearchedRecursivelyForRuleFilesInOrder() throws {
        let root = try temporaryTree([
            "b/z.linja": "", "b/a.linja": "", "a.linja": "", "notes.txt": "", ".hidden/x.linja": "", "c/d/e.linja": "",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let found = try FormatFiles.collect([root.path, root.appendingPathComponent("a.linja").path])
            .map { String($0.dropFirst(root.path.count + 1)) }
        #expect(found == ["a.linja", "b/a.linja", "b/z.linja", "c/d/e.linja"])
    }

    @Test func aPathThatDoesNotExistIsReported() {
        #expect(throws: FormatFiles.MissingPath.self) {
            try FormatFiles.collect(["/no/such/linja/path"])
        }
    }

    @Test func formattingAFileSaysWhetherItChanges() throws {
        let root = try temporaryTree([
            "ok.linja": "param a = 1\n", "messy.linja": "param   a=1", "broken.linja": "param a =\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let ok = FormatFiles.format(path: root.appendingPathComponent("ok.linja").path)
        #expect(ok.formatted == "param a = 1\n" && !ok.changed && ok.diagnostics.isEmpty)
        let messy = FormatFiles.format(path: root.appendingPathComponent("messy.linja").path)
        #expect(messy.formatted == "param a = 1\n" && messy.changed)
        let broken = FormatFiles.format(path: root.appendingPathComponent("broken.linja").path)
        #expect(broken.formatted == nil && !broken.changed && !broken.diagnostics.isEmpty)
        let missing = FormatFiles.format(path: root.appendingPathComponent("missing.linja").path)
        #expect(missing.unreadable)
    }

    @Test func standardInputBytesAreFormattedWithoutAFile() {
        let r = FormatFiles.format(path: "<stdin>", bytes: Array("let x=a and b".utf8))
        #expect(r.formatted == "let x = a and b\n")
        #expect(r.changed)
    }
}
