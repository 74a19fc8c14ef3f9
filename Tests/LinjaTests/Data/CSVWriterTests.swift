import Testing
@testable import Linja

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `records` to memory and returns the text.
private func writeCSV(_ records: [[String]], dialect: CSVDialect = .comma, lineEnding: CSVLineEnding = .lf,
              byteOrderMark: Bool = false) throws -> [UInt8] {
    let writer = CSVWriter(dialect: dialect, lineEnding: lineEnding, byteOrderMark: byteOrderMark)
    for record in records {
        try writer.writeRecord(record)
    }
    try writer.close()
    return writer.bytes
}

private typealias CSVOutcome = DataTestSupport.CSVOutcome

private func readCSV(_ bytes: [UInt8]) throws(CSVError) -> (header: [String], outcomes: [CSVOutcome], reader: CSVReader) {
    try DataTestSupport.readCSV(bytes)
}

@Suite("CSV writer")
struct CSVWriterTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("", ""),
        ("a,b", "\"a,b\""),
        ("a;b", "a;b"),
        ("1,5", "\"1,5\""),
        ("say \"hei\"", "\"say \"\"hei\"\"\""),
        ("\"", "\"\"\"\""),
        ("rivi 1\nrivi 2", "\"rivi 1\nrivi 2\""),
        ("cr\rhere", "\"cr\rhere\""),
        (" leading", "\" leading\""),
        ("trailing ", "\"trailing \""),
        ("\ttab", "\"\ttab\""),
        ("in side", "in side"),
        ("Mänttä-Vilppula", "Mänttä-Vilppula"),
        ("\u{FEFF}bom", "\"\u{FEFF}bom\""),
    ])
    func fieldsAreQuotedOnlyWhenNeeded(_ value: String, _ expected: String) throws {
        let bytes = try writeCSV([["h1", "h2"], [value, "x"]])
        #expect(String(decoding: bytes, as: UTF8.self) == "h1,h2\n" + expected + ",x\n")
    }

    @Test func semicolonDialectQuotesSemicolonsButNotDecimalCommas() throws {
        let bytes = try writeCSV([["kunta", "summa"], ["Mänttä;Vilppula", "1,5"]], dialect: .semicolon)
        #expect(String(decoding: bytes, as: UTF8.self) == "kunta;summa\n\"Mänttä;Vilppula\";1,5\n")
    }

    @Test func headerFieldsWithEitherSeparatorAreQuoted() throws {
        let bytes = try writeCSV([["summa,euroa", "kunta;koodi"], ["1,5", "2;3"]], dialect: .semicolon)
        #expect(String(decoding: bytes, as: UTF8.self) == "\"summa,euroa\";\"kunta;koodi\"\n1,5;\"2;3\"\n")
    }

    @Test(arguments: [CSVDialect.comma, .semicolon])
    func singleColumnFilesQuoteEitherSeparator(dialect: CSVDialect) throws {
        let bytes = try writeCSV([["summa"], ["1,5"], ["a;b"], ["2"]], dialect: dialect)
        #expect(String(decoding: bytes, as: UTF8.self) == "summa\n\"1,5\"\n\"a;b\"\n2\n")
    }

    @Test func singleEmptyFieldIsWrittenAsQuotes() throws {
        let bytes = try writeCSV([["nimi"], [""], ["x"]])
        #expect(String(decoding: bytes, as: UTF8.self) == "nimi\n\"\"\nx\n")
        #expect(try writeCSV([["a", "b"], ["", ""]]) == Array("a,b\n,\n".utf8))
    }

    @Test(arguments: [(CSVLineEnding.crlf, "a,b\r\n1,2\r\n"), (.lf, "a,b\n1,2\n")])
    func lineEndingIsConfigurable(_ ending: CSVLineEnding, _ expected: String) throws {
        #expect(try writeCSV([["a", "b"], ["1", "2"]], lineEnding: ending) == Array(expected.utf8))
    }

    @Test func defaultLineEndingIsCRLFAsSpreadsheetsWrite() throws {
        let writer = CSVWriter()
        try writer.writeRecord(["a"])
        #expect(writer.bytes == Array("a\r\n".utf8))
    }

    @Test func byteOrderMarkIsWrittenFirstWhenAsked() throws {
        let bytes = try writeCSV([["id", "nimi"], ["1", "Åke"]], dialect: .semicolon, byteOrderMark: true)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let (header, outcomes, reader) = try readCSV(bytes)
        #expect(reader.hadBOM && header == ["id", "nimi"])
        #expect(outcomes == [.row(["1", "Åke"], record: 2, line: 2)])
    }

    @Test func fieldByFieldWritingMatchesWholeRecords() throws {
        let writer = CSVWriter(dialect: .semicolon, lineEnding: .lf)
        try writer.writeField("a")
        try writer.writeField("b;c")
        try writer.endRecord()
        let reader = try CSVReader(bytes: Array("x,y\n\"1\"\"\",2\n".utf8))
        #expect(try reader.next())
        for i in 0..<reader.fieldCount {
            try reader.withField(i) { (field) throws(CSVError) in try writer.writeField(bytes: field) }
        }
        try writer.endRecord()
        #expect(writer.bytes == (try writeCSV([["a", "b;c"], ["1\"", "2"]], dialect: .semicolon)))
    }

    // MARK: Round trip

    static let trickyValues = [
        "", " ", "plain", "Mänttä-Vilppula", "Åland", "a,b", "a;b", "1,5", "\"", "\"\"", "say \"hei\"",
        "\"quoted\"", "line\nbreak", "crlf\r\nbreak", "lone\rcr", "\n", "\r\n", ", ;", " padded ", "\ttab",
        "trailing,", ";leading", "\u{FEFF}bom", "😀 𝄞", String(repeating: "x\"", count: 5000),
    ]

    static func trickyTables() -> [[[String]]] {
        let values = trickyValues
        var tables: [[[String]]] = []
        // Each value in every position of a three-column table, header included.
        for (i, value) in values.enumerated() {
            let other = values[(i + 7) % values.count]
            tables.append([[value, "b", "c"], [value, other, value], ["x", value, ""], [other, "", value]])
        }
        // One-column tables, where blank lines and separators are the risk.
        for value in values {
            tables.append([[value], [value], [""], ["1,5"], ["a;b"]])
        }
        // A ragged table.
        tables.append([["a", "b"], ["only"], ["1", "2", "3"]])
        return tables
    }

    @Test(arguments: [CSVDialect.comma, .semicolon], [1, 3, 1 << 20])
    func roundTripPreservesTrickyValues(dialect: CSVDialect, chunkSize: Int) throws {
        for (ending, table) in CSVWriterTests.trickyTables().enumerated().map({ ($0.offset % 2 == 0 ? CSVLineEnding.crlf : .lf, $0.element) }) {
            let bytes = try writeCSV(table, dialect: dialect, lineEnding: ending)
            let reader = try CSVReader(bytes: bytes, chunkSize: chunkSize)
            var read = [reader.header]
            while try reader.next() {
                read.append(reader.strings())
            }
            #expect(read == table, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(reader.dialect == dialect || table[0].count == 1)
        }
    }

    // MARK: Sinks

    @Test func largeOutputReachesTheFileIntact() throws {
        let path = try DataTestSupport.temporaryFile([])
        defer { unlink(path) }
        let writer = try CSVWriter(path: path, dialect: .semicolon)
        try writer.writeRecord(["id", "teksti"])
        let rows = 5_000
        for i in 0..<rows {
            try writer.writeRecord([String(i), "rivi \(i); \"Mänttä\"\n" + String(repeating: "x", count: i % 50)])
        }
        try writer.close()
        let reader = try CSVReader(path: path, chunkSize: 4096)
        #expect(reader.header == ["id", "teksti"])
        var count = 0
        while try reader.next() {
            #expect(reader.string(0) == String(count))
            #expect(reader.string(1) == "rivi \(count); \"Mänttä\"\n" + String(repeating: "x", count: count % 50))
            count += 1
        }
        #expect(count == rows)
    }

    @Test func writingAfterCloseFails() throws {
        let writer = CSVWriter()
        try writer.writeRecord(["a"])
        try writer.close()
        #expect(throws: CSVError.io("the CSV writer is closed")) { try writer.writeRecord(["b"]) }
        #expect(writer.bytes == Array("a\r\n".utf8))
    }

    @Test(.enabled(if: access("/dev/full", W_OK) == 0, "needs /dev/full"))
    func writeFailureIsReportedAndSticky() throws {
        let writer = try CSVWriter(path: "/dev/full")
        try writer.writeRecord(["a", "b"])   // buffered: nothing written yet
        let expected = CSVError.io("cannot write '/dev/full': No space left on device")
        #expect(throws: expected) { try writer.flush() }
        #expect(throws: expected) { try writer.writeRecord(["c"]) }
        #expect(throws: expected) { try writer.close() }
    }

    @Test func unwritablePathIsAnIOError() {
        #expect {
            try CSVWriter(path: "/nonexistent/linja/out.csv")
        } throws: { error in
            guard let error = error as? CSVError, case .io(let message) = error else { return false }
            return message.hasPrefix("cannot create '/nonexistent/linja/out.csv'")
        }
    }
}

/// Spreadsheet formulas in data (issue 17, item 14): with
/// `neutralizingFormulas` a field a spreadsheet would run gets an apostrophe.
@Suite struct CSVWriterFormulaTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""), ("+1+2", "'+1+2"), ("@SUM(A1)", "'@SUM(A1)"),
        ("-1+2", "'-1+2"), ("-", "'-"), ("+", "'+"), ("-1.", "'-1."), ("=", "'="),
        ("-5", "-5"), ("+5", "+5"), ("-0,5", "\"-0,5\""), ("-3.82", "-3.82"), ("A-1", "A-1"), ("", ""), ("x=1", "x=1"),
    ])
    func formulasGetAnApostropheAndNumbersStay(field: String, written: String) throws {
        let w = CSVWriter(lineEnding: .lf, continuing: true)
        w.neutralizingFormulas = true
        try w.writeRecord(["a", field, "b"])
        #expect(String(decoding: w.bytes, as: UTF8.self) == "a,\(written),b\n")
    }

    @Test func withoutTheOptionTheFieldIsWrittenAsItIs() throws {
        let w = CSVWriter(lineEnding: .lf, continuing: true)
        try w.writeRecord(["=1+1", "@x"])
        #expect(String(decoding: w.bytes, as: UTF8.self) == "=1+1,@x\n")
    }
}

/// Control characters on a terminal (issue 17, item 14).
@Suite struct TerminalTextTests {
    @Test(arguments: [
        ("A1", "A1"), ("A1\nA2", "A1\\nA2"), ("\u{1B}[31mred", "\\u{1B}[31mred"), ("tab\there", "tab\\there"),
        ("\r", "\\r"), ("\u{7F}", "\\u{7F}"), ("\u{85}", "\\u{85}"), ("abc\u{202E}def", "abc\\u{202E}def"),
        ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"), ("Jämsä – ok", "Jämsä – ok"), ("\0", "\\u{0}"),
    ])
    func controlCharactersAreShownAsEscapes(text: String, shown: String) {
        #expect(TerminalText.visible(text) == shown)
    }

    @Test func tabsCanBeKept() {
        #expect(TerminalText.visible("\tlet a\u{1B}", keepingTabs: true) == "\tlet a\\u{1B}")
    }
}
