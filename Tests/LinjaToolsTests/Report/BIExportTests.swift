import Foundation
import Testing
import Linja
@testable import LinjaTools

/// The Power BI export matches its documented schema (docs/bi-export.md):
/// the columns in order, every value of its type, hidden figures empty.
struct BIExportTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url
    }()

    /// (column, type) from the doc's table.
    static func schema() throws -> [(String, String)] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/bi-export.md"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("| `") else { return nil }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { return nil }
            return (cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")), cells[1])
        }
    }

    static func export(_ area: String) throws -> [UInt8] {
        let (policy, summary, counts) = try OutputDisclosureTests.summary(area)
        let (_, goals) = try ReportReadingTests.goals(area, clients: true)
        return BIExport.csv(AreaReport(policy: policy, summary: summary, goals: goals, counts: counts))
    }

    @Test(arguments: ["etela-keski-suomi", "pohjois-karjala"])
    func theExportMatchesItsDocumentedSchema(_ area: String) throws {
        let schema = try Self.schema()
        #expect(schema.count == BIExport.columns.count)
        let bytes = try Self.export(area)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "UTF-8 with a byte-order mark")
        let reader = try CSVReader(bytes: Array(bytes))
        #expect(reader.header == schema.map(\.0), "the header row is the documented columns, in order")
        let date = try NSRegularExpression(pattern: #"^\d{4}-\d{2}-\d{2}$"#)
        let decimal = try NSRegularExpression(pattern: #"^-?\d+(\.\d+)?$"#)
        func matches(_ re: NSRegularExpression, _ s: String) -> Bool { re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
        let hiddenIndex = try #require(schema.firstIndex { $0.0 == "hidden" })
        let valueIndex = try #require(schema.firstIndex { $0.0 == "value" })
        var rows = 0, hidden = 0
        while try reader.next() {
            rows += 1
            let fields = reader.strings()
            #expect(fields.count == schema.count, "row \(reader.record)")
            for (i, (name, type)) in schema.enumerated() where i < fields.count && !fields[i].isEmpty {
                switch type {
                case "date": #expect(matches(date, fields[i]), "row \(reader.record), \(name): \(fields[i])")
                case "decimal": #expect(matches(decimal, fields[i]), "row \(reader.record), \(name): \(fields[i])")
                default: break
                }
            }
            if !fields[hiddenIndex].isEmpty {
                hidden += 1
                #expect(fields[valueIndex].isEmpty, "row \(reader.record): a hidden figure has no value")
            }
        }
        #expect(rows > 100)
        #expect(hidden > 0, "the sample data has small counts, hidden in the export too")
    }
}
