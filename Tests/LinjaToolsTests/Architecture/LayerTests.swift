import Foundation
import Testing

/// LinjaTools is one target, so the compiler does not keep its folders in
/// layers: this test does, from the table in docs/architecture.md. A file
/// in one folder that names a type declared at the top level of another
/// folder is a use of that folder, and must be allowed by the table.
struct LayerTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()
    static let tools = root.appendingPathComponent("Sources/LinjaTools")

    /// folder → the folders it may use, from the doc's "Inside LinjaTools" table.
    static func allowed() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        guard let start = text.range(of: "## Inside LinjaTools") else { return [:] }
        var out: [String: Set<String>] = [:]
        for line in text[start.upperBound...].split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, cells[0] != "folder", !cells[0].hasPrefix("---") else { continue }
            let uses = cells[2] == "—" ? [] : cells[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            out[cells[0]] = Set(uses)
        }
        return out
    }

    static func swiftFiles(_ folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".swift") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The file's text without comments and string literals.
    static func code(_ url: URL) -> String {
        var s = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        for pattern in [#"//[^\n]*"#, #"\"\"\"[\s\S]*?\"\"\""#, #""(?:\\.|[^"\\\n])*""#] {
            s = s.replacingOccurrences(of: pattern, with: "\"\"", options: .regularExpression)
        }
        return s
    }

    static func matches(_ pattern: String, _ text: String) -> [String] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// Uses of other folders: (from, to, the type named).
    static func uses() -> [(from: String, to: String, name: String)] {
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: tools.path)) ?? []).sorted()
            .filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: tools.appendingPathComponent($0).path, isDirectory: &d) && d.boolValue }
        let typeDecl = #"(?:struct|class|enum|protocol|typealias|actor)\s+([A-Z]\w*)"#
        var owner: [String: String] = [:]
        var local: [String: Set<String>] = [:]
        for f in folders {
            for file in swiftFiles(tools.appendingPathComponent(f)) {
                let text = code(file)
                for line in text.split(separator: "\n") where !line.hasPrefix(" ") {
                    for n in matches(typeDecl, String(line)) { owner[n] = f }
                }
                local[f, default: []].formUnion(matches(typeDecl, text))
            }
        }
        var out: [(String, String, String)] = []
        for f in folders {
            var seen = Set<String>()
            for file in swiftFiles(tools.appendingPathComponent(f)) {
                for ident in matches(#"\b([A-Z]\w*)\b"#, code(file)) where !seen.contains(ident) {
                    seen.insert(ident)
                    if let o = owner[ident], o != f, !(local[f]?.contains(ident) ?? false) { out.append((f, o, ident)) }
                }
            }
        }
        return out
    }

    @Test func everyFolderIsInTheTable() throws {
        let table = try Self.allowed()
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: Self.tools.path)) ?? [])
            .filter { !Self.swiftFiles(Self.tools.appendingPathComponent($0)).isEmpty }
        #expect(folders.count >= 8)
        for f in folders { #expect(table[f] != nil, "folder \(f) of LinjaTools is not in docs/architecture.md") }
    }

    @Test func foldersUseOnlyWhatTheTableAllows() throws {
        let table = try Self.allowed()
        #expect(!table.isEmpty, "docs/architecture.md has no table for LinjaTools")
        for u in Self.uses() where !(table[u.from]?.contains(u.to) ?? false) {
            Issue.record("\(u.from) uses \(u.to) (`\(u.name)`), which docs/architecture.md does not allow")
        }
    }
}
