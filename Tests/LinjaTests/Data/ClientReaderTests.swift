import Foundation
import LinjaTestSupport
import Testing
@testable import Linja
@testable import LinjaData

/// Client data as spreadsheets and client systems write it, validated
/// against the record; every bad row named by row and column.
struct ClientReaderTests {
    static let policy = TestPolicies.make("""
    let _unused = 1
    """)

    func write(_ text: String, name: String = "clients.csv", bytes: [UInt8]? = nil) -> String {
        let path = Scratch.root + "linja-data-" + UUID().uuidString + "-" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes ?? Array(text.utf8))), "cannot write a test file")
        return path
    }

    /// Reads every row: accepted values, and issues as text.
    func readAll(_ path: String) throws -> (rows: [[Value]], issues: [String], warnings: [String]) {
        let p = Self.policy
        let reader = try ClientReader(path: path, policy: p)
        var rows: [[Value]] = []
        var issues: [String] = []
        var batch = ClientBatch(width: p.record?.fields.count ?? 0)
        loop: while true {
            batch.removeAll()
            switch reader.next(into: &batch) {
            case .client: rows.append(batch.values(0, record: try #require(p.record)))
            case .rejected(let i): issues.append(i.description.replacingOccurrences(of: path, with: "FILE"))
            case .end: break loop
            }
        }
        return (rows, issues, reader.warnings.map { $0.description.replacingOccurrences(of: path, with: "FILE") })
    }

    func field(_ row: [Value], _ name: String) -> Value? {
        guard let i = Self.policy.record?.fields.firstIndex(where: { $0.name == name }) else { return nil }
        return row[i]
    }

    static let header = "id,municipality,birth_date,start,d,n,x,flag_a,flag_b,status"

    /// A column name is matched trimmed, NFC and in lower case; the quick
    /// path for plain ASCII names gives what the full one gives.
    @Test(arguments: ["id", "Birth_Date", " status", "status\t", "\u{A0}kunta\u{A0}", "Kunta", "kotikunta ",
                      "Ka\u{308}ynti", "KÄYNTI", "", " ", "a b"])
    func columnNamesAreMatchedTrimmedNormalisedAndInLowerCase(_ name: String) {
        let full = name.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping.lowercased()
        #expect(ClientReader.key(name) == full)
    }

    @Test func commaSeparatedCanonicalFile() throws {
        let (rows, issues, _) = try readAll(write("""
        \(Self.header)
        A1,Alpha,1990-01-01,2026-01-01,,3,1.5,true,false,unemployed
        """))
        #expect(issues.isEmpty)
        #expect(rows.count == 1)
        #expect(field(rows[0], "x") == .decimal(Fixed(raw: 1_500_000)))
        #expect(field(rows[0], "d") == .missing)
    }

    @Test func finnishSpreadsheetExportWithSemicolonsDecimalCommasAndBOM() throws {
        let text = "id;municipality;birth_date;start;d;n;x;flag_a;flag_b;status\r\nA1;Gamma-Delta;1.2.1990;01.01.2026;31.1.2026;3;1,5;kyllä;ei;laid_off\r\n"
        let (rows, issues, _) = try readAll(write("", bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8)))
        #expect(issues.isEmpty)
        let row = try #require(rows.first)
        #expect(field(row, "birth_date") == .date(TestPolicies.day("1990-02-01")))
        #expect(field(row, "d") == .date(TestPolicies.day("2026-01-31")))
        #expect(field(row, "x") == .decimal(Fixed(raw: 1_500_000)))
        #expect(field(row, "flag_a") == .bool(true))
        #expect(field(row, "flag_b") == .bool(false))
        #expect(field(row, "municipality") == .municipality(try #require(Self.policy.municipality(named: "Gamma-Delta"))))
    }

    @Test func municipalityCodesAndDecomposedNamesAreRead() throws {
        let decomposed = "Gamma-Delta" // ASCII here; the NFC case is covered by names below
        let (rows, issues, _) = try readAll(write("""
        \(Self.header)
        A1,002,1990-01-01,2026-01-01,,,,0,1,unemployed
        A2,1,1990-01-01,2026-01-01,,,,0,1,unemployed
        A3,\(decomposed),1990-01-01,2026-01-01,,,,0,1,UNEMPLOYED
        """))
        #expect(issues.isEmpty)
        #expect(rows.map { field($0, "municipality") } == [.municipality(1), .municipality(0), .municipality(2)])
    }

    @Test func quotedFieldsWithSeparatorsQuotesAndNewlines() throws {
        let (rows, issues, _) = try readAll(write("\(Self.header)\n\"A,\"\"1\"\"\nx\",Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed\n"))
        #expect(issues.isEmpty)
        #expect(rows.first.flatMap { field($0, "id") } == .text("A,\"1\"\nx"))
    }

    @Test func aBadValueNamesItsRowColumnAndFieldAndTheOtherRowsAreKept() throws {
        let (rows, issues, _) = try readAll(write("""
        \(Self.header)
        A1,Alpha,31.2.2026,2026-01-01,,,,false,false,unemployed
        A2,Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed
        A3,Alfa,1990-01-01,2026-01-01,,,,false,false,unemployed
        A4,Alpha,1990-01-01,2026-01-01,,,,maybe,false,unemployed
        A5,Alpha,1990-01-01,2026-01-01,,,,false,false,retired
        A6,Alpha,1990-01-01,2026-01-01,,x,,false,false,unemployed
        """))
        #expect(rows.count == 1)
        #expect(issues == [
            "FILE:2:3: field 'birth_date': expected a date (2026-05-01 or 1.5.2026), got '31.2.2026'",
            "FILE:4:2: field 'municipality': unknown municipality 'Alfa'; did you mean 'Alpha'?",
            "FILE:5:8: field 'flag_a': expected true/false, 1/0 or kyllä/ei, got 'maybe'",
            "FILE:6:10: field 'status': expected one of unemployed, laid_off, short_layoff, employed, got 'retired'",
            "FILE:7:6: field 'n': expected a whole number, got 'x'",
        ])
    }

    @Test func aMissingRequiredColumnIsAnErrorBeforeAnyRowIsRead() throws {
        #expect(throws: DataIssue.self) {
            _ = try readAll(write("id,d\nA1,2026-01-01\n"))
        }
        do {
            _ = try ClientReader(path: write("id,municipality\nA1,Alpha\n"), policy: Self.policy)
        } catch let e as DataIssue {
            #expect(e.row == 1)
            #expect(e.message.contains("'birth_date'") && e.message.contains("'status'"))
        }
    }

    @Test func anUnknownColumnIsAWarningGivenOnce() throws {
        let (rows, _, warnings) = try readAll(write("\(Self.header),extra\nA1,Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed,z\n"))
        #expect(rows.count == 1)
        #expect(warnings == ["FILE:1:11: unknown column 'extra' is ignored"])
    }

    @Test func aRaggedRowAndAnUnterminatedQuoteAreRejectedWithTheirPosition() throws {
        let (rows, issues, _) = try readAll(write("""
        \(Self.header)
        A1,Alpha,1990-01-01
        A2,Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed
        "A3,Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed
        """))
        #expect(rows.count == 1)
        #expect(issues.count == 2)
        #expect(issues[0] == "FILE:2: the row has 3 fields, the header 10")
        #expect(issues[1].hasPrefix("FILE:4:1: unterminated quoted field"))
    }

    @Test func jsonLinesRowsAreReadAndANonObjectLineIsRejected() throws {
        let (rows, issues, _) = try readAll(write("""
        {"id": "A1", "municipality": "Alpha", "birth_date": "1990-01-01", "start": "2026-01-01", "status": "unemployed", "flag_a": true, "flag_b": false, "n": 3}
        [1, 2]
        {"id": "A3", "municipality": "Alpha", "birth_date": "1990-01-01", "start": "2026-01-01", "status": "unemployed", "flag_a": {"x": 1}, "flag_b": false}
        """, name: "clients.jsonl"))
        #expect(rows.count == 1)
        #expect(rows.first.flatMap { field($0, "n") } == .int(3))
        #expect(issues.count == 2)
        #expect(issues[0].hasPrefix("FILE:2"))
        #expect(issues[1] == "FILE:3:6: field 'flag_a': expected a value, got a JSON object")
    }
}
