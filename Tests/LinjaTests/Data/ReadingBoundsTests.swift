import Foundation
import LinjaTestSupport
import Testing
@testable import Linja
@testable import LinjaData

/// How the client reader keeps one stray quote from swallowing a file, and
/// from making it buffer the file (issue 17, items 11 and 19); how it
/// numbers rows when blank lines or quoted line breaks occur, and what it
/// does with a byte-order mark in the middle (item 20).
struct ReadingBoundsTests {
    static let policy = TestPolicies.make("""
    let _unused = 1
    """)
    static let header = "id,municipality,birth_date,start,d,n,x,flag_a,flag_b,status"

    static func row(_ id: String) -> String {
        "\(id),Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed"
    }

    func write(_ bytes: [UInt8], name: String = "clients.csv") -> String {
        let path = Scratch.root + "linja-bounds-" + UUID().uuidString + "-" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write a test file")
        return path
    }

    /// The ids read and the issues (as text, the path as FILE), reading the
    /// whole file as one range.
    func read(_ text: String, maxQuotedLines: Int? = nil, maxRecordBytes: Int? = nil) throws
        -> (ids: [String], issues: [String], fields: [[String]]) {
        let path = write(Array(text.utf8))
        let reader = try ClientReader(path: path, policy: Self.policy)
        if let m = maxQuotedLines { reader.maxQuotedLines = m }
        if let m = maxRecordBytes { reader.maxRecordBytes = m }
        var rows = ClientRows(width: reader.decoder.width)
        var rejects: [RejectedRow] = []
        _ = reader.readRange(start: reader.dataStart, into: &rows, rejects: &rejects)
        let idSlot = try #require(reader.idSlot)
        let ids = (0..<rows.count).map { rows.text(Int(rows.slots[$0 * rows.width + idSlot])) }
        let issues = rejects.map { $0.issue.shifted(rows: reader.dataRow, lines: reader.dataLine).description
            .replacingOccurrences(of: path, with: "FILE") }
        return (ids, issues, rejects.map(\.fields))
    }

    @Test func aStrayQuoteRejectsOnlyItsOwnLineAndEveryLaterClientIsRead() throws {
        // Issue 17's example: one unbalanced quote early in a file of a
        // thousand clients.
        var lines = [Self.header, Self.row("A1"), "A2,\"Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed"]
        for i in 0..<1000 { lines.append(Self.row("B\(i)")) }
        let (ids, issues, fields) = try read(lines.joined(separator: "\n") + "\n")
        #expect(ids.count == 1001)
        #expect(ids.first == "A1" && ids.last == "B999")
        #expect(issues == ["FILE:3:2: the quoted field opened here runs past 10 lines or 8 MiB (a stray quote?): a quoted field "
                           + "may span at most 10 lines and a row at most 8 MiB; reading resumes on the next line"])
        // The rejected line keeps its text.
        #expect(fields == [["A2,\"Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed"]])
    }

    @Test func aQuotedFieldOverItsLineBoundIsRejectedAtTheLineItOpenedOn() throws {
        let text = [Self.header, "\"A1\nline 2\nline 3\",Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed", Self.row("A2")]
            .joined(separator: "\n") + "\n"
        // Within the bound the multi-line id is a value.
        let within = try read(text, maxQuotedLines: 3)
        #expect(within.ids == ["A1\nline 2\nline 3", "A2"])
        // Past it, the first line is rejected and the others are read as rows.
        let past = try read(text, maxQuotedLines: 2)
        #expect(past.issues.first?.hasPrefix("FILE:2:1: the quoted field opened here runs past 2 lines") == true, "\(past.issues)")
        #expect(past.ids == ["A2"])
        #expect(past.issues.count == 3, "\(past.issues)")
    }

    @Test func aMalformedRowWithLineBreaksInQuotesGivesBackItsOtherLines() throws {
        // Two stray quotes close each other: the "field" between them is
        // well formed, but the row is not. Only the first line is rejected.
        let text = [Self.header, Self.row("A1"), "A2,\"Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed",
                    Self.row("A3"), "A4,Al\"pha,1990-01-01,2026-01-01,,,,false,false,unemployed", Self.row("A5")]
            .joined(separator: "\n") + "\n"
        let (ids, issues, _) = try read(text)
        #expect(ids == ["A1", "A3", "A5"])
        #expect(issues.count == 2, "\(issues)")
        #expect(issues[0].hasPrefix("FILE:3:2: the quoted field opened here runs over several lines into a row that cannot be read"))
        #expect(issues[1].hasPrefix("FILE:5:2: quote inside an unquoted field"))
    }

    @Test func aRowLongerThanTheBoundIsRejectedWithoutKeepingItAndTheNextRowIsRead() throws {
        let long = Self.row("A2") + String(repeating: "x", count: 5000)
        let text = [Self.header, Self.row("A1"), long, Self.row("A3")].joined(separator: "\n") + "\n"
        let (ids, issues, _) = try read(text, maxRecordBytes: 1024)
        #expect(ids == ["A1", "A3"])
        #expect(issues == ["FILE:3: the row is longer than 1 KiB, the longest row read; reading resumes on the next line"])
    }

    @Test func rowsAreNumberedAsASpreadsheetShowsThemAndTheLineIsNamedWhenItDiffers() throws {
        // Blank lines are rows; a quoted line break keeps its row but moves
        // every later line.
        let text = [Self.header, "", Self.row("A1"), "\"A2\nx\",Alpha,1990-01-01,2026-01-01,,,,false,false,unemployed", "",
                    "A3,Alpha,31.2.1990,2026-01-01,,,,false,false,unemployed"].joined(separator: "\n") + "\n"
        let (ids, issues, _) = try read(text)
        #expect(ids == ["A1", "A2\nx"])
        #expect(issues == ["FILE:6:3: field 'birth_date': expected a date (2026-05-01 or 1.5.2026), got '31.2.1990' (line 7)"])
    }

    @Test func aByteOrderMarkAtTheStartOfARowIsNotPartOfItsId() throws {
        let bytes = Array((Self.header + "\n" + Self.row("A1") + "\n").utf8) + [0xEF, 0xBB, 0xBF] + Array((Self.row("A2") + "\n").utf8)
        let path = write(bytes)
        let reader = try ClientReader(path: path, policy: Self.policy)
        var rows = ClientRows(width: reader.decoder.width)
        var rejects: [RejectedRow] = []
        _ = reader.readRange(start: reader.dataStart, into: &rows, rejects: &rejects)
        #expect(rejects.isEmpty)
        #expect(rows.count == 2)
        #expect(rows.text(Int(rows.slots[rows.width + (reader.idSlot ?? 0)])) == "A2")
    }

    /// The fast date reader gives what `Day.parse` gives, for every day of
    /// a 400-year cycle in both forms and for texts that are almost dates.
    @Test func fastDatesAgreeWithTheCalendar() throws {
        var n = 0
        for number in stride(from: Int32(-150_000), to: 150_000, by: 7) {
            let day = Day(number: number)
            let iso = day.description
            let fi = "\(day.day).\(day.month).\(day.year)"
            for text in [iso, fi] {
                let bytes = Array(text.utf8)
                let fast = bytes.withUnsafeBufferPointer { FastDate.parse($0.baseAddress!, $0.count) }
                let slow = bytes.withUnsafeBytes { Day.parse(bytes: $0) }.map { Int64($0.number) }
                #expect(fast == slow, "\(text)")
                n += 1
            }
        }
        #expect(n > 40_000)
        for text in ["2026-02-29", "2024-02-29", "1900-02-29", "2000-02-29", "2026-13-01", "2026-00-10", "2026-01-00",
                     "31.4.2026", "30.4.2026", "1.1.0000", "1.1.10000", "01.01.2026", "1.01.2026", "001.1.2026",
                     "2026-1-01", "20260101", "1.1.26", "x.1.2026", "1.x.2026", "1..2026", ".1.2026", "2026-01-0x"] {
            let bytes = Array(text.utf8)
            let fast = bytes.withUnsafeBufferPointer { FastDate.parse($0.baseAddress!, $0.count) }
            let slow = bytes.withUnsafeBytes { Day.parse(bytes: $0) }.map { Int64($0.number) }
            #expect(fast == slow, "\(text)")
        }
    }
}
