import Testing
import LinjaTestSupport
@testable import Linja

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Helpers shared by the data reader and writer tests, in one namespace so
/// that they cannot clash with other test files of the target.
enum DataTestSupport {
    /// One result of `CSVReader.next()`: a record (with its ragged-row
    /// issue, if any) or the error it threw.
    enum CSVOutcome: Equatable, CustomStringConvertible {
        case row([String], record: Int, line: Int)
        case ragged([String], CSVError)
        case error(CSVError)

        var description: String {
            switch self {
            case .row(let fields, let record, let line): return "row \(fields) record \(record) line \(line)"
            case .ragged(let fields, let issue): return "ragged \(fields): \(issue)"
            case .error(let error): return "error: \(error)"
            }
        }
    }

    /// Reads everything, turning each `next()` into an outcome. Stops after
    /// 10,000 outcomes so a looping reader fails the test instead of hanging.
    static func readCSV(_ bytes: [UInt8], chunkSize: Int = 1 << 20, dialect: CSVDialect? = nil)
        throws(CSVError) -> (header: [String], outcomes: [CSVOutcome], reader: CSVReader) {
        let reader = try CSVReader(bytes: bytes, dialect: dialect, chunkSize: chunkSize)
        return (reader.header, outcomes(of: reader), reader)
    }

    /// The outcomes of calling `next()` until the end.
    static func outcomes(of reader: CSVReader) -> [CSVOutcome] {
        var outcomes: [CSVOutcome] = []
        while outcomes.count < 10_000 {
            do {
                guard try reader.next() else { break }
                if let issue = reader.recordIssue {
                    outcomes.append(.ragged(reader.strings(), issue))
                } else {
                    outcomes.append(.row(reader.strings(), record: reader.record, line: reader.line))
                }
            } catch {
                outcomes.append(.error(error))
            }
        }
        return outcomes
    }

    /// Writes `bytes` to a new temporary file and returns its path.
    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        var template = Array((Scratch.root + "linja-data-test-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        try #require(fd >= 0)
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        try #require(written == bytes.count)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A small deterministic generator for randomized tests.
    typealias Random = SplitMix64
}

private typealias CSVOutcome = DataTestSupport.CSVOutcome

private func readCSV(_ bytes: [UInt8], chunkSize: Int = 1 << 20, dialect: CSVDialect? = nil)
    throws(CSVError) -> (header: [String], outcomes: [CSVOutcome], reader: CSVReader) {
    try DataTestSupport.readCSV(bytes, chunkSize: chunkSize, dialect: dialect)
}

private func readCSV(_ text: String, chunkSize: Int = 1 << 20, dialect: CSVDialect? = nil)
    throws(CSVError) -> (header: [String], outcomes: [CSVOutcome], reader: CSVReader) {
    try DataTestSupport.readCSV(Array(text.utf8), chunkSize: chunkSize, dialect: dialect)
}

/// Just the fields of the rows, for tests about content.
private func csvRows(_ text: String, chunkSize: Int = 1 << 20) throws -> [[String]] {
    try readCSV(text, chunkSize: chunkSize).outcomes.compactMap {
        if case .row(let fields, _, _) = $0 { return fields }
        return nil
    }
}

@Suite("CSV reader")
struct CSVReaderTests {
    // MARK: Dialect

    struct DialectCase: CustomTestStringConvertible, Sendable {
        var header: String
        var dialect: CSVDialect
        var fields: [String]
        var testDescription: String { header }
    }

    @Test(arguments: [
        DialectCase(header: "a,b,c", dialect: .comma, fields: ["a", "b", "c"]),
        DialectCase(header: "a;b;c", dialect: .semicolon, fields: ["a", "b", "c"]),
        DialectCase(header: "summa,euroa;kunta", dialect: .semicolon, fields: ["summa,euroa", "kunta"]),
        DialectCase(header: "a,b,c;d", dialect: .comma, fields: ["a", "b", "c;d"]),
        DialectCase(header: "\"x;y;z\",b", dialect: .comma, fields: ["x;y;z", "b"]),
        DialectCase(header: "\"x,y,z\";b", dialect: .semicolon, fields: ["x,y,z", "b"]),
        DialectCase(header: "henkilötunnus", dialect: .semicolon, fields: ["henkilötunnus"]),
        DialectCase(header: "\n\r\na;b", dialect: .semicolon, fields: ["a", "b"]),
    ])
    func separatorIsDetectedFromHeader(_ c: DialectCase) throws {
        let (header, _, reader) = try readCSV(c.header + "\n")
        #expect(reader.dialect == c.dialect)
        #expect(header == c.fields)
    }

    @Test func semicolonDialectIsDetectedFromHeader() throws {
        let (header, outcomes, reader) = try readCSV("kunta;summa\nMänttä-Vilppula;1,5\nOulu;2\n")
        #expect(reader.dialect == .semicolon)
        #expect(header == ["kunta", "summa"])
        #expect(outcomes == [
            .row(["Mänttä-Vilppula", "1,5"], record: 2, line: 2),
            .row(["Oulu", "2"], record: 3, line: 3),
        ])
    }

    @Test func singleColumnFileKeepsDecimalCommasInTheField() throws {
        #expect(try csvRows("summa\n1,5\n2,25\n") == [["1,5"], ["2,25"]])
    }

    @Test func explicitDialectOverridesDetection() throws {
        let (header, outcomes, reader) = try readCSV("a;b,c\n1;2,3\n", dialect: .comma)
        #expect(reader.dialect == .comma)
        #expect(header == ["a;b", "c"])
        #expect(outcomes == [.row(["1;2", "3"], record: 2, line: 2)])
    }

    // MARK: Encoding and line ends

    @Test func byteOrderMarkIsStripped() throws {
        let (header, outcomes, reader) = try readCSV([0xEF, 0xBB, 0xBF] + Array("id;nimi\n1;Åke\n".utf8))
        #expect(reader.hadBOM)
        #expect(header == ["id", "nimi"])
        #expect(outcomes == [.row(["1", "Åke"], record: 2, line: 2)])
    }

    @Test func inputWithoutByteOrderMarkReportsNone() throws {
        let (_, _, reader) = try readCSV("id\n1\n")
        #expect(!reader.hadBOM)
    }

    @Test(arguments: [
        ("LF", "a,b\n1,2\n3,4\n"),
        ("CRLF", "a,b\r\n1,2\r\n3,4\r\n"),
        ("CR", "a,b\r1,2\r3,4\r"),
        ("mixed", "a,b\r\n1,2\n3,4\r"),
        ("no final line end", "a,b\n1,2\r\n3,4"),
    ])
    func everyLineEndingEndsARecord(_ name: String, _ text: String) throws {
        let (header, outcomes, _) = try readCSV(text)
        #expect(header == ["a", "b"], "\(name)")
        #expect(outcomes == [
            .row(["1", "2"], record: 2, line: 2),
            .row(["3", "4"], record: 3, line: 3),
        ], "\(name)")
    }

    // MARK: Quoting

    @Test(arguments: [
        ("\"a,b\",c", ["a,b", "c"]),
        ("\"say \"\"hei\"\"\",c", ["say \"hei\"", "c"]),
        ("\"\"\"\",\"\"", ["\"", ""]),
        ("\"line 1\nline 2\",c", ["line 1\nline 2", "c"]),
        ("\"line 1\r\nline 2\",c", ["line 1\r\nline 2", "c"]),
        ("\"\",\"\"", ["", ""]),
        (",", ["", ""]),
        ("\" spaced \",x", [" spaced ", "x"]),
        (" unquoted ,x", [" unquoted ", "x"]),
        ("\"Mänttä-Vilppula\",\"ä\"\"ö\"", ["Mänttä-Vilppula", "ä\"ö"]),
        ("a,\"b\"", ["a", "b"]),
    ])
    func quotedFieldsKeepSeparatorsQuotesAndNewlines(_ line: String, _ expected: [String]) throws {
        #expect(try csvRows("h1,h2\n" + line + "\n") == [expected])
        #expect(try csvRows("h1,h2\n" + line) == [expected], "without a final line end")
    }

    @Test func semicolonFilesQuoteTheSameWay() throws {
        #expect(try csvRows("a;b\n\"x;y\";\"1,5\"\n") == [["x;y", "1,5"]])
    }

    // MARK: Numbering

    @Test func blankLinesAreSkippedButCountedInLineNumbers() throws {
        let (header, outcomes, reader) = try readCSV("\n\na,b\n\n1,2\r\n\r\n\r\n3,4\n\n")
        #expect(header == ["a", "b"])
        #expect(outcomes == [
            .row(["1", "2"], record: 2, line: 5),
            .row(["3", "4"], record: 3, line: 8),
        ])
        #expect(reader.record == 3)
    }

    @Test func multiLineFieldCountsAsOneRecordButSeveralLines() throws {
        let (_, outcomes, _) = try readCSV("a,b\n1,\"x\ny\r\nz\"\n2,w\n")
        #expect(outcomes == [
            .row(["1", "x\ny\r\nz"], record: 2, line: 2),
            .row(["2", "w"], record: 3, line: 5),
        ])
    }

    // MARK: Errors

    @Test func raggedRowIsDeliveredAndFlagged() throws {
        let (_, outcomes, _) = try readCSV("a,b,c\n1,2\n1,2,3\n1,2,3,4\n")
        #expect(outcomes == [
            .ragged(["1", "2"], .raggedRow(record: 2, line: 2, expected: 3, got: 2)),
            .row(["1", "2", "3"], record: 3, line: 3),
            .ragged(["1", "2", "3", "4"], .raggedRow(record: 4, line: 4, expected: 3, got: 4)),
        ])
    }

    @Test func missingFieldsOfAShortRowReadAsEmpty() throws {
        let reader = try CSVReader(bytes: Array("a,b,c\n1\n".utf8))
        #expect(try reader.next())
        #expect(reader.fieldCount == 1)
        #expect(reader.string(0) == "1")
        #expect(reader.string(2) == "")
        #expect(reader.string(-1) == "")
        #expect(reader.withField(5) { $0.count } == 0)
    }

    @Test func unterminatedQuoteNamesWhereItOpened() throws {
        let (_, outcomes, reader) = try readCSV("a,b,c\n1,2,3\n\n4,\"x\ny,z\n5,6,7\n")
        // The record is rejected and reading resumes on the line after the quote's.
        #expect(outcomes == [
            .row(["1", "2", "3"], record: 2, line: 2),
            .error(.unterminatedQuote(CSVPosition(record: 3, line: 4, column: 2))),
            .ragged(["y", "z"], .raggedRow(record: 4, line: 5, expected: 3, got: 2)),
            .row(["5", "6", "7"], record: 5, line: 6),
        ])
        #expect(try reader.next() == false)
        #expect(CSVError.unterminatedQuote(CSVPosition(record: 3, line: 4, column: 2)).description
            == "unterminated quoted field in record 3 (the quote opened at line 4, column 2)")
    }

    @Test func quoteOpeningOnALaterLineOfTheRecordIsLocatedThere() throws {
        let (_, outcomes, _) = try readCSV("a,b\n\"x\ny\",\"open")
        #expect(outcomes == [.error(.unterminatedQuote(CSVPosition(record: 2, line: 3, column: 2)))])
    }

    @Test func quoteInUnquotedFieldIsReportedAndReadingContinues() throws {
        let (_, outcomes, _) = try readCSV("a,b\n1,ab\"c\"d\n2,ok\n")
        #expect(outcomes == [
            .error(.quoteInUnquotedField(CSVPosition(record: 2, line: 2, column: 2))),
            .row(["2", "ok"], record: 3, line: 3),
        ])
    }

    @Test func textAfterClosingQuoteIsReportedAndReadingContinues() throws {
        let (_, outcomes, _) = try readCSV("a,b\n\"x\"y,1\n2,ok\n")
        #expect(outcomes == [
            .error(.textAfterClosingQuote(CSVPosition(record: 2, line: 2, column: 1))),
            .row(["2", "ok"], record: 3, line: 3),
        ])
    }

    @Test func invalidUTF8IsReportedWithRecordAndColumn() throws {
        // "Mänttä" saved as Windows-1252: 0xE4 alone.
        var bytes = Array("kunta;koodi\nOulu;564\n".utf8)
        bytes += [UInt8(ascii: "M"), 0xE4, UInt8(ascii: "n")] + Array(";508\n".utf8)
        bytes += Array("Pori;\"60\r\n9\";x\n".utf8)
        bytes += Array("Kemi;\"ok\"\n".utf8)
        let (_, outcomes, _) = try readCSV(bytes)
        // The Pori record holds a line break inside quotes and is ragged: a
        // stray quote is the likely cause, so only its first line is
        // rejected and its second line is read as a record of its own.
        #expect(outcomes == [
            .row(["Oulu", "564"], record: 2, line: 2),
            .error(.invalidUTF8(CSVPosition(record: 3, line: 3, column: 1))),
            .error(.raggedRow(record: 4, line: 4, expected: 2, got: 3)),
            .error(.quoteInUnquotedField(CSVPosition(record: 5, line: 5, column: 1))),
            .row(["Kemi", "ok"], record: 6, line: 6),
        ])
    }

    @Test(arguments: [
        [0xC3] as [UInt8],                 // truncated sequence
        [0xC0, 0x80],                      // overlong NUL
        [0xED, 0xA0, 0x80],                // UTF-16 surrogate
        [0xF4, 0x90, 0x80, 0x80],          // above U+10FFFF
        [0x80],                            // lone continuation byte
        [0xFF],
    ])
    func malformedUTF8SequencesAreRejected(_ bad: [UInt8]) throws {
        let bytes = Array("a,b\n1,\"x".utf8) + bad + Array("y\"\n".utf8)
        let (_, outcomes, _) = try readCSV(bytes)
        #expect(outcomes == [.error(.invalidUTF8(CSVPosition(record: 2, line: 2, column: 2)))])
    }

    @Test func wellFormedMultiByteCharactersAreAccepted() throws {
        let text = "a,b\nÅland ä ö €,\"𝄞 emoji 😀\"\n"
        #expect(try csvRows(text) == [["Åland ä ö €", "𝄞 emoji 😀"]])
    }

    @Test(arguments: [
        ("a,\"b\nc", CSVError.unterminatedQuote(CSVPosition(record: 1, line: 1, column: 2))),
        ("a,b\"c\n1,2\n", .quoteInUnquotedField(CSVPosition(record: 1, line: 1, column: 2))),
    ])
    func badHeaderThrowsFromInit(_ text: String, _ expected: CSVError) {
        #expect(throws: expected) { try CSVReader(bytes: Array(text.utf8)) }
    }

    @Test(arguments: [
        (CSVError.unterminatedQuote(CSVPosition(record: 3, line: 5, column: 2)),
         "unterminated quoted field in record 3 (the quote opened at line 5, column 2)"),
        (.quoteInUnquotedField(CSVPosition(record: 4, line: 6, column: 1)),
         "quote inside an unquoted field in record 4, column 1 (line 6); a field with quotes must be enclosed in quotes and its quotes doubled"),
        (.textAfterClosingQuote(CSVPosition(record: 2, line: 2, column: 3)),
         "unexpected text after the closing quote of a field in record 2, column 3 (line 2)"),
        (.invalidUTF8(CSVPosition(record: 7, line: 9, column: 4)),
         "invalid UTF-8 in record 7, column 4 (line 9); save the file as UTF-8"),
        (.raggedRow(record: 5, line: 5, expected: 3, got: 1), "record 5 (line 5) has 1 field, but the header has 3"),
        (.raggedRow(record: 5, line: 6, expected: 3, got: 4), "record 5 (line 6) has 4 fields, but the header has 3"),
        (.io("cannot open 'x.csv': No such file or directory"), "cannot open 'x.csv': No such file or directory"),
    ])
    func errorMessagesSayWhereTheProblemIs(_ error: CSVError, _ message: String) {
        #expect(error.description == message)
    }

    @Test func directoryIsAnIOErrorNamingThePath() {
        #expect(throws: CSVError.io("cannot read '/tmp': Is a directory")) { try CSVReader(path: "/tmp") }
    }

    @Test func missingFileIsAnIOError() {
        #expect {
            try CSVReader(path: "/nonexistent/linja/asiakkaat.csv")
        } throws: { error in
            guard let error = error as? CSVError, case .io(let message) = error else { return false }
            return message.hasPrefix("cannot open '/nonexistent/linja/asiakkaat.csv'")
        }
    }

    // MARK: Edge sizes

    @Test func emptyFileHasNoHeaderAndNoRecords() throws {
        for text in ["", "\n\n", "\r\n"] {
            let (header, outcomes, _) = try readCSV(text)
            #expect(header == [])
            #expect(outcomes == [])
        }
        let (header, outcomes, reader) = try readCSV([0xEF, 0xBB, 0xBF])
        #expect(header == [] && outcomes == [] && reader.hadBOM)
    }

    @Test func headerOnlyFileHasNoRecords() throws {
        for text in ["a;b", "a;b\n", "a;b\r\n\r\n"] {
            let (header, outcomes, reader) = try readCSV(text)
            #expect(header == ["a", "b"])
            #expect(outcomes == [])
            #expect(reader.record == 1)
        }
    }

    @Test func trailingSeparatorMeansAnEmptyLastField() throws {
        #expect(try csvRows("a,b\n1,\n,\n") == [["1", ""], ["", ""]])
        #expect(try csvRows("a,b\n1,") == [["1", ""]])
    }

    @Test(arguments: [false, true])
    func millionCharacterFieldIsRead(quoted: Bool) throws {
        let big = String(repeating: "ä", count: 500_000) + String(repeating: "\"", count: quoted ? 500_000 : 0)
            + String(repeating: "x", count: quoted ? 0 : 500_000)
        let encoded = quoted ? "\"" + big.replacingQuotes() + "\"" : big
        let text = "id,data\n1," + encoded + "\n2,small\n"
        let reader = try CSVReader(bytes: Array(text.utf8), chunkSize: 64 * 1024)
        #expect(try reader.next())
        #expect(reader.string(1).unicodeScalars.count == 1_000_000)
        #expect(reader.string(1) == big)
        #expect(try reader.next())
        #expect(reader.strings() == ["2", "small"])
        #expect(try reader.next() == false)
    }

    // MARK: Chunking

    static let chunkingSample: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((
        "\n\"id\";\"nimi\";\"kunta; alue\"\r\n"
        + "1;\"Mänttä-Vilppula\";\"rivi 1\r\nrivi 2\"\r\n"
        + "\r\n"
        + "2;\"\"\"lainattu\"\"\";\r"
        + "3;x\"y;z\n"
        + "4;ä;\"a\"\"\"\"b\"\n"
        + "5;lyhyt\n"
        + "6;\"ö\";\"\"\r\n"
        + "7;viimeinen;ilman rivinvaihtoa").utf8)

    @Test(arguments: [1, 2, 3, 7, 64])
    func chunkBoundariesDoNotChangeRecords(chunkSize: Int) throws {
        let expected = try readCSV(CSVReaderTests.chunkingSample)
        let actual = try readCSV(CSVReaderTests.chunkingSample, chunkSize: chunkSize)
        #expect(actual.header == expected.header)
        #expect(actual.outcomes == expected.outcomes)
        #expect(expected.header == ["id", "nimi", "kunta; alue"])
        #expect(expected.outcomes == [
            .row(["1", "Mänttä-Vilppula", "rivi 1\r\nrivi 2"], record: 2, line: 3),
            .row(["2", "\"lainattu\"", ""], record: 3, line: 6),
            .error(.quoteInUnquotedField(CSVPosition(record: 4, line: 7, column: 2))),
            .row(["4", "ä", "a\"\"b"], record: 5, line: 8),
            .ragged(["5", "lyhyt"], .raggedRow(record: 6, line: 9, expected: 3, got: 2)),
            .row(["6", "ö", ""], record: 7, line: 10),
            .row(["7", "viimeinen", "ilman rivinvaihtoa"], record: 8, line: 11),
        ])
    }

    @Test(arguments: [1, 5, 4096])
    func chunkBoundariesDoNotChangeUnterminatedQuotePosition(chunkSize: Int) throws {
        let (_, outcomes, _) = try readCSV("a,b\n1,2\n3,\"never\nclosed", chunkSize: chunkSize)
        #expect(outcomes == [
            .row(["1", "2"], record: 2, line: 2),
            .error(.unterminatedQuote(CSVPosition(record: 3, line: 3, column: 2))),
            .ragged(["closed"], .raggedRow(record: 4, line: 4, expected: 2, got: 1)),
        ])
    }

    @Test(arguments: [1, 2, 3, 7])
    func randomInputsReadTheSameInAnyChunkSize(chunkSize: Int) throws {
        // Short inputs from an alphabet of everything that matters to the
        // scanner, including broken UTF-8, stray quotes and bare CRs.
        let alphabet: [[UInt8]] = [
            [UInt8(ascii: "a")], [UInt8(ascii: "1")], [UInt8(ascii: ",")], [UInt8(ascii: ";")],
            [UInt8(ascii: "\"")], [UInt8(ascii: "\"")], [UInt8(ascii: "\r")], [UInt8(ascii: "\n")],
            [UInt8(ascii: " ")], [0xC3, 0xA4], [0xE4], [0xEF, 0xBB, 0xBF],
        ]
        var random = DataTestSupport.Random(seed: UInt64(chunkSize))
        for _ in 0..<400 {
            var bytes: [UInt8] = []
            for _ in 0..<random.below(40) {
                bytes += alphabet[random.below(alphabet.count)]
            }
            let whole: Result<[CSVOutcome], CSVError>
            let chunked: Result<[CSVOutcome], CSVError>
            do { whole = .success(try readCSV(bytes).outcomes) } catch { whole = .failure(error) }
            do { chunked = .success(try readCSV(bytes, chunkSize: chunkSize).outcomes) } catch { chunked = .failure(error) }
            #expect(chunked == whole, "input \(bytes)")
        }
    }

    // MARK: Files

    @Test func readingAFileMatchesReadingTheSameBytes() throws {
        let bytes = CSVReaderTests.chunkingSample
        let path = try DataTestSupport.temporaryFile(bytes)
        defer { unlink(path) }
        let fromFile = try CSVReader(path: path, chunkSize: 5)
        let fromMemory = try readCSV(bytes)
        #expect(fromFile.header == fromMemory.header)
        #expect(DataTestSupport.outcomes(of: fromFile) == fromMemory.outcomes)
    }

    @Test func aSyntheticExtractReadsWithoutErrors() throws {
        let sample = CSVSample.sampleFile(rows: 2_000)
        let reader = try CSVReader(bytes: sample, chunkSize: 4096)
        #expect(reader.header.count == 15)
        let totals = CSVSample.scan(reader)
        #expect(totals.records == 2_000)
        #expect(totals.fields == 30_000)
        #expect(totals.errors == 0)
    }
}

extension String {
    /// Doubles every quote, as CSV quoting does.
    fileprivate func replacingQuotes() -> String {
        var out = ""
        for character in self {
            out.append(character)
            if character == "\"" { out.append("\"") }
        }
        return out
    }
}

/// A synthetic client-record file and a reader that touches every field.
enum CSVSample {
    /// A synthetic client-record file: a header and `rows` records of
    /// `columns` fields (about 115 bytes a row at 15 columns), with
    /// identifiers, dates, Finnish place names, numbers and the occasional
    /// quoted field, like the national client extract.
    static func sampleFile(rows: Int, columns: Int = 15, dialect: CSVDialect = .comma) -> [UInt8] {
        let places = ["Helsinki", "Mänttä-Vilppula", "Jyväskylä", "Oulu", "Pori", "Seinäjoki", "Hämeenlinna", "Kemi"]
        let sep = Character(Unicode.Scalar(dialect.separator))
        var out: [UInt8] = []
        out.reserveCapacity(rows * columns * 8 + 256)
        let columnCount = max(1, columns)
        var header = (1...columnCount).map { "sarake\($0)" }
        header[0] = "asiakas_id"
        out.append(contentsOf: header.joined(separator: String(sep)).utf8)
        out.append(UInt8(ascii: "\n"))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for row in 0..<max(0, rows) {
            for column in 0..<columnCount {
                if column > 0 { out.append(dialect.separator) }
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let r = Int(truncatingIfNeeded: state >> 33)
                let text: String
                switch column % 5 {
                case 0: text = column == 0 ? String(1_000_000 + row) : String(r % 100_000)
                case 1: text = "2024-\(r % 12 + 1)-\(r % 28 + 1)"
                case 2: text = places[r % places.count]
                case 3: text = r % 50 == 0 ? "\"Oy \"\"Esimerkki\"\" Ab\(sep) sivutoimipiste\"" : "T\(r % 1000)"
                default: text = String(r % 10_000)
                }
                out.append(contentsOf: text.utf8)
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// Reads every record and touches every field, returning totals so the
    /// work cannot be optimised away. Records with errors are counted, not
    /// thrown.
    static func scan(_ reader: CSVReader) -> (records: Int, fields: Int, bytes: Int, errors: Int) {
        var records = 0
        var fields = 0
        var bytes = 0
        var errors = 0
        while true {
            do {
                guard try reader.next() else { break }
            } catch {
                errors += 1
                continue
            }
            records += 1
            let n = reader.fieldCount
            fields += n
            for i in 0..<n {
                bytes &+= reader.withField(i) { $0.count }
            }
        }
        return (records, fields, bytes, errors)
    }
}
