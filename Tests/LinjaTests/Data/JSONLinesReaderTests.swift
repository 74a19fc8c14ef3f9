import Testing
@testable import Linja

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One result of `JSONLinesReader.next()`, comparable in tests.
private enum JSONLinesOutcome: Equatable, CustomStringConvertible {
    case object([Member], line: Int)
    case error(JSONLinesError)

    struct Member: Equatable, CustomStringConvertible {
        var key: String
        var value: JSONScalar
        var description: String { "\(key): \(value)" }
    }

    var description: String {
        switch self {
        case .object(let members, let line): return "line \(line): \(members)"
        case .error(let error): return "error: \(error)"
        }
    }
}

private func readJSONLines(_ bytes: [UInt8], chunkSize: Int = 1 << 20) -> [JSONLinesOutcome] {
    let reader = JSONLinesReader(bytes: bytes, chunkSize: chunkSize)
    var outcomes: [JSONLinesOutcome] = []
    while outcomes.count < 10_000 {
        do {
            guard let members = try reader.next() else { break }
            outcomes.append(.object(members.map { .init(key: $0.key, value: $0.value) }, line: reader.line))
        } catch {
            outcomes.append(.error(error))
        }
    }
    return outcomes
}

private func readJSONLines(_ text: String, chunkSize: Int = 1 << 20) -> [JSONLinesOutcome] {
    readJSONLines(Array(text.utf8), chunkSize: chunkSize)
}

/// The single value of a one-member object line, or the error.
private func jsonValue(_ valueText: String) -> Result<JSONScalar, JSONLinesError>? {
    switch readJSONLines("{\"v\":" + valueText + "}").first {
    case .object(let members, _)?:
        return members.first.map { .success($0.value) }
    case .error(let error)?:
        return .failure(error)
    case nil:
        return nil
    }
}

private typealias M = JSONLinesOutcome.Member

@Suite("JSON Lines reader")
struct JSONLinesReaderTests {
    @Test func scalarsAreReadInKeyOrder() {
        let outcomes = readJSONLines("{\"id\": \"A1\", \"age\": 42, \"active\": true, \"ended\": false, \"note\": null}\n")
        #expect(outcomes == [.object([
            M(key: "id", value: .string("A1")),
            M(key: "age", value: .number("42")),
            M(key: "active", value: .bool(true)),
            M(key: "ended", value: .bool(false)),
            M(key: "note", value: .null),
        ], line: 1)])
    }

    @Test func emptyObjectHasNoMembers() {
        #expect(readJSONLines(" { } ") == [.object([], line: 1)])
    }

    @Test(arguments: [
        ("\"plain\"", "plain"),
        ("\"Mänttä-Vilppula\"", "Mänttä-Vilppula"),
        ("\"q\\\"b\\\\s\\/\"", "q\"b\\s/"),
        ("\"\\b\\f\\n\\r\\t\"", "\u{8}\u{C}\n\r\t"),
        ("\"\\u00e4\\u00C4\"", "äÄ"),
        ("\"\\u0000\"", "\u{0}"),
        ("\"\\u20ac\"", "€"),
        ("\"\\ud83d\\ude00\"", "😀"),
        ("\"\\uD834\\uDD1E clef\"", "𝄞 clef"),
        ("\"mix ä\\n😀\\u00e4\"", "mix ä\n😀ä"),
        ("\"\"", ""),
    ])
    func stringEscapesAreDecoded(_ json: String, _ expected: String) {
        #expect(jsonValue(json) == .success(.string(expected)))
    }

    @Test(arguments: ["0", "-0", "42", "1.50", "-12.3400", "1e400", "1E+5", "2.5e-3", "12345678901234567890123"])
    func numbersKeepTheirExactText(_ text: String) {
        #expect(jsonValue(text) == .success(.number(text)))
    }

    @Test(arguments: [
        ("01", 7, "invalid number: leading zeros are not allowed"),
        ("1.", 8, "invalid number: expected a digit after '.'"),
        ("-", 7, "invalid number: expected a digit"),
        ("1e", 8, "invalid number: expected a digit in the exponent"),
        ("+1", 6, "expected a value"),
        (".5", 6, "expected a value"),
        ("NaN", 6, "expected a value"),
        ("tru", 6, "expected a value"),
        ("nul", 6, "expected a value"),
    ])
    func malformedNumbersAndLiteralsAreRejected(_ text: String, _ column: Int, _ reason: String) {
        #expect(jsonValue(text) == .failure(.malformed(line: 1, column: column, reason: reason)))
    }

    @Test(arguments: [
        ("\"\\ud83d\"", 2),
        ("\"\\ude00\"", 2),
        ("\"\\ud83d\\u0041\"", 2),
        ("\"ab\\ud83dx\"", 4),
    ])
    func unpairedSurrogatesAreRejected(_ json: String, _ offsetInString: Int) {
        #expect(jsonValue(json) == .failure(.malformed(line: 1, column: 5 + offsetInString,
                                                       reason: "unpaired surrogate in a \\u escape")))
    }

    @Test(arguments: [
        ("[1, 2]", 1),
        ("\"text\"", 1),
        ("  42", 3),
        ("null", 1),
        ("true", 1),
    ])
    func lineThatIsNotAnObjectIsReported(_ line: String, _ column: Int) {
        #expect(readJSONLines(line + "\n{\"ok\":1}\n") == [
            .error(.notAnObject(line: 1, column: column)),
            .object([M(key: "ok", value: .number("1"))], line: 2),
        ])
    }

    @Test(arguments: [
        ("{\"a\" 1}", 6, "expected ':' after the key"),
        ("{\"a\":1,}", 8, "expected a string key"),
        ("{\"a\":1 \"b\":2}", 8, "expected ',' or '}' after a value"),
        ("{a:1}", 2, "expected a string key"),
        ("{\"a\":1", 7, "unexpected end of line: expected ',' or '}'"),
        ("{\"a\":", 6, "unexpected end of line: expected a value"),
        ("{\"a\":\"open}", 6, "unterminated string"),
        ("{\"a\":1} x", 9, "unexpected text after the JSON object"),
        ("{\"a\":1}{}", 8, "unexpected text after the JSON object"),
        ("{\"a\":\"\\x\"}", 7, "invalid escape in a string"),
        ("{\"a\":\"\\u12g4\"}", 11, "invalid \\u escape: expected four hex digits"),
        ("{\"a\":\"tab\there\"}", 10, "control character in a string (it must be written as an escape)"),
        ("{\"a\":'x'}", 6, "expected a value"),
        ("hello", 1, "expected a value"),
        ("[1,2", 5, "unexpected end of line: expected ',' or ']'"),
    ])
    func malformedLineReportsLineAndColumn(_ line: String, _ column: Int, _ reason: String) {
        #expect(readJSONLines("{}\n" + line + "\n{}") == [
            .object([], line: 1),
            .error(.malformed(line: 2, column: column, reason: reason)),
            .object([], line: 3),
        ])
    }

    @Test func columnCountsCharactersNotBytes() {
        // "ä" and "😀" are one character each (2 and 4 bytes).
        let outcomes = readJSONLines("{\"kunta\": \"Mänttä😀\", \"x\" 1}")
        #expect(outcomes == [.error(.malformed(line: 1, column: 26, reason: "expected ':' after the key"))])
        #expect(JSONLinesError.malformed(line: 1, column: 26, reason: "expected ':' after the key").description
            == "expected ':' after the key (line 1, column 26)")
    }

    @Test func duplicateKeysAreRejected() {
        #expect(readJSONLines("{\"a\":1,\"b\":2,\"a\":3}\n{\"a\":1}") == [
            .error(.duplicateKey("a", line: 1, column: 14)),
            .object([M(key: "a", value: .number("1"))], line: 2),
        ])
    }

    @Test func duplicateKeysAreFoundInLargeObjects() {
        let members = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let outcomes = readJSONLines("{" + members + ",\"k3\":0}")
        guard case .error(.duplicateKey("k3", line: 1, _))? = outcomes.first else {
            Issue.record("expected a duplicate key error, got \(outcomes)")
            return
        }
        #expect(readJSONLines("{" + members + "}").count == 1)
    }

    @Test func nestedValuesAreReportedAsNested() {
        let outcomes = readJSONLines("{\"o\": {\"x\": [1, {\"y\": null}], \"x\": 2}, \"a\": [], \"s\": \"[not]\"}")
        #expect(outcomes == [.object([
            M(key: "o", value: .nested(.object)),
            M(key: "a", value: .nested(.array)),
            M(key: "s", value: .string("[not]")),
        ], line: 1)])
    }

    @Test func malformedNestedValueIsStillAnError() {
        #expect(readJSONLines("{\"o\": [1, 2,]}") == [.error(.malformed(line: 1, column: 13, reason: "expected a value"))])
    }

    @Test func deepNestingIsRejectedWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let outcomes = readJSONLines("{\"a\": " + deep + "}\n" + deep)
        #expect(outcomes.count == 2)
        for outcome in outcomes {
            guard case .error(.malformed(line: _, column: _, reason: let reason)) = outcome else {
                Issue.record("expected malformed, got \(outcome)")
                continue
            }
            #expect(reason == "nesting deeper than 512 levels")
        }
        #expect(readJSONLines("{\"a\": [[[[1]]]]}") == [.object([M(key: "a", value: .nested(.array))], line: 1)])
    }

    @Test func invalidUTF8IsMalformed() {
        let bytes = Array("{\"kunta\": \"M".utf8) + [0xE4] + Array("n\"}\n{}".utf8)
        #expect(readJSONLines(bytes) == [
            .error(.malformed(line: 1, column: 13, reason: "invalid UTF-8")),
            .object([], line: 2),
        ])
    }

    @Test func blankLinesAreSkippedButCounted() {
        #expect(readJSONLines("\n{\"a\":1}\n   \n\t\r\n{\"a\":2}\r\n\n") == [
            .object([M(key: "a", value: .number("1"))], line: 2),
            .object([M(key: "a", value: .number("2"))], line: 5),
        ])
    }

    @Test func emptyInputHasNoObjects() {
        #expect(readJSONLines("") == [])
        #expect(readJSONLines("\n\n") == [])
    }

    @Test func byteOrderMarkIsSkipped() {
        let reader = JSONLinesReader(bytes: [0xEF, 0xBB, 0xBF] + Array("{\"a\":\"b\"}".utf8))
        #expect(throws: Never.self) {
            let members = try reader.next()
            #expect(members?.first?.key == "a")
        }
        #expect(reader.hadBOM)
    }

    static let chunkingSample = Array((
        "{\"id\": \"1\", \"kunta\": \"Mänttä-Vilppula\", \"summa\": 1.50}\n"
        + "\n"
        + "{\"emoji\": \"\\ud83d\\ude00 😀\", \"esc\": \"a\\\"b\\\\c\\n\"}\r\n"
        + "[1]\n"
        + "{\"bad\": tru}\n"
        + "{\"a\": 1, \"a\": 2}\n"
        + "{\"nested\": {\"x\": [1, 2, {\"y\": \"ä\"}]}, \"last\": null}").utf8)

    @Test(arguments: [1, 2, 3, 7, 64])
    func chunkBoundariesDoNotChangeObjects(chunkSize: Int) {
        let expected = readJSONLines(JSONLinesReaderTests.chunkingSample)
        #expect(readJSONLines(JSONLinesReaderTests.chunkingSample, chunkSize: chunkSize) == expected)
        #expect(expected == [
            .object([
                M(key: "id", value: .string("1")),
                M(key: "kunta", value: .string("Mänttä-Vilppula")),
                M(key: "summa", value: .number("1.50")),
            ], line: 1),
            .object([M(key: "emoji", value: .string("😀 😀")), M(key: "esc", value: .string("a\"b\\c\n"))], line: 3),
            .error(.notAnObject(line: 4, column: 1)),
            .error(.malformed(line: 5, column: 9, reason: "expected a value")),
            .error(.duplicateKey("a", line: 6, column: 10)),
            .object([M(key: "nested", value: .nested(.object)), M(key: "last", value: .null)], line: 7),
        ])
    }

    @Test(arguments: [1, 2, 3, 7])
    func randomInputsReadTheSameInAnyChunkSize(chunkSize: Int) {
        let alphabet = ["{", "}", "[", "]", "\"", "\"k\"", ":", ",", " ", "\n", "\r\n", "1", "-", ".5", "e",
                        "true", "null", "\\", "\\u", "d83d", "ä", "😀"]
        var random = DataTestSupport.Random(seed: 100 + UInt64(chunkSize))
        for _ in 0..<400 {
            var text = ""
            for _ in 0..<random.below(30) {
                text += alphabet[random.below(alphabet.count)]
            }
            var bytes = Array(text.utf8)
            if random.below(4) == 0 { bytes.insert(0xFF, at: random.below(bytes.count + 1)) }
            #expect(readJSONLines(bytes, chunkSize: chunkSize) == readJSONLines(bytes), "input \(text)")
        }
    }

    @Test func longLineIsRead() {
        let long = String(repeating: "ö", count: 300_000)
        let outcomes = readJSONLines("{\"a\":\"" + long + "\"}\n{}", chunkSize: 4096)
        #expect(outcomes == [.object([M(key: "a", value: .string(long))], line: 1), .object([], line: 2)])
    }

    @Test func readingAFileMatchesReadingTheSameBytes() throws {
        let path = try DataTestSupport.temporaryFile(JSONLinesReaderTests.chunkingSample)
        defer { unlink(path) }
        let reader = try JSONLinesReader(path: path, chunkSize: 5)
        var outcomes: [JSONLinesOutcome] = []
        while true {
            do {
                guard let members = try reader.next() else { break }
                outcomes.append(.object(members.map { .init(key: $0.key, value: $0.value) }, line: reader.line))
            } catch {
                outcomes.append(.error(error))
            }
        }
        #expect(outcomes == readJSONLines(JSONLinesReaderTests.chunkingSample))
    }

    @Test func missingFileIsAnIOError() {
        #expect {
            try JSONLinesReader(path: "/nonexistent/linja/data.jsonl")
        } throws: { error in
            guard let error = error as? JSONLinesError, case .io(let message) = error else { return false }
            return message.hasPrefix("cannot open '/nonexistent/linja/data.jsonl'")
        }
    }
}
