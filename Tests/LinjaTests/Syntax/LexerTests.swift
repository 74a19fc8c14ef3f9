import Testing
@testable import Linja

/// The lexer, one table per token family: what each piece of source text
/// becomes, where it is, and how each malformed token is reported.
@Suite struct LexerTests {
    typealias T = SyntaxTesting

    /// The one token `text` lexes to (records an issue when it is not one).
    private func single(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Token? {
        let r = T.lex(text)
        #expect(r.diagnostics.isEmpty, "`\(text)`: \(T.summary(r.diagnostics))", sourceLocation: sourceLocation)
        guard r.tokens.count == 2 else {
            Issue.record("`\(text)` gave \(r.tokens.count - 1) tokens: \(r.tokens.map(\.kind))", sourceLocation: sourceLocation)
            return nil
        }
        return r.tokens[0]
    }

    // MARK: Punctuation and operators

    @Test(arguments: [
        ("{", TokenKind.lbrace), ("}", .rbrace), ("(", .lparen), (")", .rparen), ("[", .lbracket), ("]", .rbracket),
        (",", .comma), (":", .colon), (".", .dot), ("|", .pipe), ("?", .question), ("=>", .arrow),
        ("=", .eq), ("==", .eqeq), ("!=", .neq), ("<>", .neq), ("≠", .neq),
        ("<", .lt), ("<=", .le), ("≤", .le), (">", .gt), (">=", .ge), ("≥", .ge),
        ("+", .plus), ("-", .minus), ("*", .star), ("/", .slash),
    ])
    func punctuationLexesToItsKind(text: String, kind: TokenKind) {
        let t = single(text)
        #expect(t?.kind == kind)
        #expect(t?.start == 0)
        #expect(t?.end == text.utf8.count)
    }

    @Test func operatorsNeedNoSpaces() {
        #expect(T.tokens("a<=b=>c!=d").map(\.kind) == [.identifier, .le, .identifier, .arrow, .identifier, .neq, .identifier])
    }

    // MARK: Words

    @Test(arguments: Keyword.allCases)
    func everyReservedWordIsAKeyword(_ k: Keyword) {
        #expect(single(k.rawValue)?.kind == .keyword(k))
    }

    /// Clause words that only mean something where the grammar puts them.
    @Test(arguments: ["source", "assumption", "note", "responsible", "municipalities", "group", "code",
                      "column", "values", "default", "set", "level", "baseline", "measured", "reported",
                      "assessed", "per", "year", "near", "within", "points", "prorate", "assessment", "counts",
                      "as", "suppress", "below", "sample", "period", "client", "clients", "like", "examples",
                      "check", "actuals", "count", "share", "average", "median", "sum", "ratio", "yes", "no",
                      "working", "days", "kk", "EUR"])
    func contextualWordsAreIdentifiers(_ word: String) {
        let t = single(word)
        #expect(t?.kind == .identifier)
        #expect(t?.text == word)
    }

    @Test(arguments: ["Mänttä", "työtön", "Jämsä", "Åland", "_x1", "x_2_y", "ÄÖÅäöå", "Petäjävesi", "lähipalvelu"])
    func finnishLettersMakeIdentifiers(_ word: String) {
        let t = single(word)
        #expect(t?.kind == .identifier)
        #expect(t?.text == word)
        #expect(t?.end == word.utf8.count)
    }

    @Test func aDecomposedNameEqualsItsComposedFormAfterNFC() throws {
        let decomposed = "Ma\u{0308}ntta\u{0308}"   // a + COMBINING DIAERESIS
        let composed = "M\u{00E4}ntt\u{00E4}"
        #expect(Array(decomposed.unicodeScalars) != Array(composed.unicodeScalars))
        let t = try #require(single(decomposed))
        #expect(t.kind == .identifier)
        #expect(Array(t.text.unicodeScalars) == Array(composed.unicodeScalars))
        #expect(t.end == decomposed.utf8.count, "the span still covers the bytes as written")
    }

    @Test func aDecomposedUnitWordIsStillAUnit() {
        #expect(single("5 pa\u{0308}iva\u{0308}a\u{0308}")?.kind == .duration(.days))
    }

    @Test func aQuotedNameKeepsHyphensAndSpaces() {
        let t = single("\"Mänttä-Vilppula\"")
        #expect(t?.kind == .string)
        #expect(t?.text == "Mänttä-Vilppula")
    }

    // MARK: Numbers and their units

    @Test(arguments: [
        ("0", "0"), ("42", "42"), ("1_000", "1000"), ("1_000_000", "1000000"), ("3.82", "3.82"),
        ("0.000001", "0.000001"), ("1_234.5", "1234.5"), ("2026", "2026"),
    ])
    func numbersDropUnderscoresAndKeepDecimals(text: String, value: String) {
        let t = single(text)
        #expect(t?.kind == .number)
        #expect(t?.text == value)
    }

    @Test func aPointWithoutDigitsIsNotPartOfTheNumber() {
        #expect(T.tokens("3.").map(\.kind) == [.number, .dot])
        #expect(T.tokens("client.x").map(\.kind) == [.identifier, .dot, .identifier])
    }

    @Test(arguments: [("75 %", "75"), ("75%", "75"), ("69.9 %", "69.9"), ("0 %", "0"), ("100\t%", "100")])
    func percentagesFollowTheirNumber(text: String, value: String) {
        let t = single(text)
        #expect(t?.kind == .percent)
        #expect(t?.text == value)
        #expect(t?.end == text.utf8.count)
    }

    /// Every unit word, with a space and written onto the number.
    @Test(arguments: DurationUnit.words.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    func everyDurationUnitWordLexes(word: String, unit: DurationUnit) {
        for text in ["3 \(word)", "3\(word)"] {
            let t = single(text)
            #expect(t?.kind == .duration(unit), "`\(text)`")
            #expect(t?.text == "3")
            #expect(t?.end == text.utf8.count)
        }
    }

    @Test(arguments: [
        ("10 days", DurationUnit.days), ("1 day", .days), ("14 vrk", .days), ("4 pv", .days), ("5 päivää", .days),
        ("6 weeks", .weeks), ("2 vk", .weeks), ("3 months", .months), ("3 kk", .months), ("1 year", .years),
        ("1 v", .years), ("2 vuotta", .years),
        ("10 working days", .workingDays), ("1 working day", .workingDays), ("10 working_days", .workingDays),
        ("7 arkipäivää", .workingDays), ("2 työpäivää", .workingDays),
    ])
    func durationsInEnglishAndFinnish(text: String, unit: DurationUnit) {
        let t = single(text)
        #expect(t?.kind == .duration(unit))
        #expect(t?.end == text.utf8.count)
    }

    @Test(arguments: [
        ("100 €", "100", false), ("100€", "100", false), ("100 EUR", "100", false), ("9.50 €", "9.50", false),
        ("21.77 M€", "21.77", true), ("3M€", "3", true),
    ])
    func moneyInEurosAndMillions(text: String, value: String, millions: Bool) {
        let t = single(text)
        #expect(t?.kind == .money(millions: millions))
        #expect(t?.text == value)
        #expect(t?.end == text.utf8.count)
    }

    @Test func aWordOnTheNextLineIsNotAUnit() {
        #expect(T.tokens("3\ndays").map(\.kind) == [.number, .identifier])
    }

    /// `3 monts` lexes as a number and a name; the parser reports the typo.
    @Test func anUnknownWordAfterASpaceIsTheNextToken() {
        let r = T.lex("3 monts")
        #expect(r.diagnostics.isEmpty)
        #expect(r.tokens.dropLast().map(\.kind) == [.number, .identifier])
    }

    // MARK: Dates and periods

    @Test(arguments: ["2026-05-01", "2024-02-29", "2000-02-29", "2026-12-31", "0001-01-01", "9999-12-31"])
    func calendarDatesLexAsDates(_ text: String) {
        let t = single(text)
        #expect(t?.kind == .date)
        #expect(t?.text == text)
    }

    @Test(arguments: ["2026-Q1", "2026-Q4", "2026-01", "2026-03", "2026-12"])
    func quartersAndMonthsLexAsPeriods(_ text: String) {
        let t = single(text)
        #expect(t?.kind == .period)
        #expect(t?.text == text)
    }

    @Test func aDateMinusANumberIsNotADate() {
        #expect(T.tokens("2026 - 1").map(\.kind) == [.number, .minus, .number])
        #expect(T.tokens("2026-1").map(\.kind) == [.number, .minus, .number])
    }

    // MARK: Strings

    @Test(arguments: [
        (#""abc""#, "abc"), (#""""#, ""), (#""a\"b""#, "a\"b"), (#""a\\b""#, "a\\b"), (#""1\n2""#, "1\n2"),
        (#""1\t2""#, "1\t2"), (#""\u{E4}""#, "ä"), (#""\u{1F600}""#, "😀"), (#""Mänttä-Vilppula""#, "Mänttä-Vilppula"),
        (##""# ei kommentti""##, "# ei kommentti"),
    ])
    func stringsAreUnescaped(source: String, value: String) {
        let t = single(source)
        #expect(t?.kind == .string)
        #expect(t?.text == value)
    }

    @Test func aTripleQuotedStringLosesItsCommonIndentation() {
        let source = "check \"\"\"\n    rule r\n      when x\n\n    then nothing\n    \"\"\"\n"
        let ts = T.tokens(source)
        #expect(ts.map(\.kind) == [.identifier, .string])
        #expect(ts.last?.text == "rule r\n  when x\n\nthen nothing")
    }

    @Test func aTripleQuotedStringOnOneLineIsItsText() {
        #expect(single("\"\"\"a \"quoted\" word\"\"\"")?.text == "a \"quoted\" word")
    }

    @Test func theTokenAfterAMultiLineStringIsNotAtLineStart() {
        let ts = T.tokens("\"\"\"\n  x\n  \"\"\" y\nz")
        #expect(ts.map(\.kind) == [.string, .identifier, .identifier])
        #expect(ts.map(\.atLineStart) == [true, false, true])
    }

    // MARK: Comments

    @Test func commentsAreKeptOutsideTheTokenStream() {
        let r = T.lex("# heading\nlet x = 1 # trailing\n## doc\n##\nrule")
        #expect(r.tokens.dropLast().map(\.kind) == [.keyword(.let), .identifier, .eq, .number, .keyword(.rule)])
        #expect(r.comments.map(\.text) == ["# heading", "# trailing", "## doc", "##"])
        #expect(r.comments.map(\.isDoc) == [false, false, true, true])
        #expect(r.comments.map(\.ownLine) == [true, false, true, true])
        #expect(r.diagnostics.isEmpty)
    }

    @Test func aHashInsideAStringIsNotAComment() {
        let r = T.lex(##"note "#1 prioriteetti""##)
        #expect(r.comments.isEmpty)
        #expect(r.tokens.dropLast().map(\.kind) == [.identifier, .string])
    }

    // MARK: Positions

    @Test func atLineStartMarksTheFirstTokenOfEachLine() {
        let ts = T.tokens("a b\n  c d\n# only a comment\n\te\r\nf g")
        #expect(ts.map(\.text) == ["a", "b", "c", "d", "e", "f", "g"])
        #expect(ts.map(\.atLineStart) == [true, false, true, false, true, true, false])
    }

    /// Columns count characters as a person sees them: `Mänttä` is 6 columns
    /// (8 bytes), and so is its decomposed form (10 bytes).
    @Test(arguments: [
        ("Mänttä x", 9, 8), ("Ma\u{0308}ntta\u{0308} x", 11, 8), ("\"Jämsä\" x", 10, 9), ("\tx", 1, 2), ("😀 x", 5, 3),
    ])
    func columnsCountCharactersNotBytes(source: String, byteOffset: Int, column: Int) throws {
        let f = T.file(source)
        let x = try #require(Lexer.lex(f).tokens.first { $0.text == "x" })
        #expect(x.start == byteOffset)
        #expect(f.location(of: x.start).column == column)
        #expect(f.location(of: x.start).line == 1)
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndingStartsANewLine(_ eol: String) throws {
        let f = T.file("a\(eol)  bb\(eol)\(eol)c")
        let ts = Lexer.lex(f).tokens.dropLast()
        #expect(ts.map { f.location(of: $0.start).line } == [1, 2, 4])
        #expect(ts.map { f.location(of: $0.start).column } == [1, 3, 1])
    }

    @Test func spansCoverTheTokenAsWritten() {
        let ts = T.tokens("let työtön = 1_000 EUR")
        #expect(ts.map { [$0.start, $0.end] } == [[0, 3], [4, 12], [13, 14], [15, 24]])
    }

    @Test func theEndOfFileTokenSitsAfterTheLastByte() {
        let r = T.lex("x\n")
        #expect(r.tokens.last?.kind == .eof)
        #expect(r.tokens.last?.start == 2)
        #expect(r.tokens.last?.atLineStart == true)
    }

    @Test func aByteOrderMarkIsSkipped() {
        let r = Lexer.lex(T.file(bytes: [0xEF, 0xBB, 0xBF] + Array("let x".utf8)))
        #expect(r.diagnostics.isEmpty)
        #expect(r.tokens.dropLast().map(\.kind) == [.keyword(.let), .identifier])
        #expect(r.tokens.first?.start == 3)
    }

    @Test(.bug(id: "FE-BOM", "columns on the first line of a file with a byte-order mark are one too far"))
    func aByteOrderMarkTakesNoColumn() {
        let f = T.file(bytes: [0xEF, 0xBB, 0xBF] + Array("let x".utf8))
        #expect(f.location(of: 3).column == 1)
    }

    // MARK: Lexical errors

    /// Every lexical error kind: its code, where it is reported (line:column)
    /// and a word of its message.
    @Test(arguments: [
        // unterminated strings
        (#""abc"#, DiagnosticCode.unterminatedString, "1:1", "unterminated string"),
        ("x = \"abc\ny", .unterminatedString, "1:5", "unterminated string"),
        ("note \"\"\"never closed\n", .unterminatedString, "1:6", "`\"\"\"`"),
        // escapes
        (#""\q""#, .invalidEscape, "1:2", "unknown escape `\\q`"),
        (#""ä\x""#, .invalidEscape, "1:3", "unknown escape `\\x`"),
        (#""\u00E4""#, .invalidEscape, "1:2", "expected `{` after `\\u`"),
        (#""\u{110000}""#, .invalidEscape, "1:2", "invalid Unicode escape"),
        (#""\u{D800}""#, .invalidEscape, "1:2", "invalid Unicode escape"),
        (#""\u{}""#, .invalidEscape, "1:2", "invalid Unicode escape"),
        // dates
        ("2026-02-30", .invalidDate, "1:1", "`2026-02-30` is not a calendar date"),
        ("2025-02-29", .invalidDate, "1:1", "`2025-02-29`"),
        ("2100-02-29", .invalidDate, "1:1", "`2100-02-29`"),
        ("2026-04-31", .invalidDate, "1:1", "`2026-04-31`"),
        ("2026-13-01", .invalidDate, "1:1", "`2026-13-01`"),
        ("2026-00-10", .invalidDate, "1:1", "`2026-00-10`"),
        ("x > 2026-01-00", .invalidDate, "1:5", "`2026-01-00`"),
        ("0000-01-01", .invalidDate, "1:1", "`0000-01-01`"),
        // periods
        ("2026-Q5", .invalidPeriod, "1:1", "`2026-Q5` is not a quarter"),
        ("2026-Q0", .invalidPeriod, "1:1", "quarter"),
        ("2026-13", .invalidPeriod, "1:1", "`2026-13` is not a month"),
        ("for 2026-00", .invalidPeriod, "1:5", "month"),
        // units
        ("3monts", .unknownUnit, "1:2", "unknown unit `monts`"),
        ("10dys", .unknownUnit, "1:3", "unknown unit `dys`"),
        ("5 %x 3kkk", .unknownUnit, "1:7", "unknown unit `kkk`"),
        // numbers
        ("1.5 months", .invalidNumber, "1:1", "whole number of months"),
        ("0.5 days", .invalidNumber, "1:1", "whole number of days"),
        ("2.5 working days", .invalidNumber, "1:1", "working days"),
        ("1234567890123456789012345678901", .invalidNumber, "1:1", "too long"),
        // characters
        ("a & b", .unexpectedCharacter, "1:3", "`&`"),
        ("!young", .unexpectedCharacter, "1:1", "`!`"),
        ("x = “T-1", .unexpectedCharacter, "1:5", "typographic quote `“`"),
        ("x = ”", .unexpectedCharacter, "1:5", "typographic quote `”`"),
        ("x = „", .unexpectedCharacter, "1:5", "typographic quote `„`"),
        ("2026 – 2027", .unexpectedCharacter, "1:6", "dash `–`"),
        ("a — b", .unexpectedCharacter, "1:3", "dash `—`"),
        ("Jämsä € 5", .unexpectedCharacter, "1:7", "`€` must follow an amount"),
        ("x; y", .unexpectedCharacter, "1:2", "`;`"),
        ("'Keuruu'", .unexpectedCharacter, "1:1", "`'`"),
        ("% 5", .unexpectedCharacter, "1:1", "`%`"),
        ("@x", .unexpectedCharacter, "1:1", "`@`"),
        ("a \\ b", .unexpectedCharacter, "1:3", "`\\`"),
        ("x § 3", .unexpectedCharacter, "1:3", "U+A7"),
        ("a\u{01}b", .unexpectedCharacter, "1:2", "control character 0x1"),
        ("rule r\n  when x &&", .unexpectedCharacter, "2:10", "`&`"),
    ])
    func everyLexicalErrorIsReportedWhereItIs(source: String, code: DiagnosticCode, position: String, message: String) throws {
        let r = T.lex(source)
        let d = try #require(r.diagnostics.first, "`\(source)` gave no diagnostic")
        #expect(d.code == code)
        #expect(T.position(d) == position)
        #expect(d.message.contains(message), "message: \(d.message)")
        #expect(d.severity == .error)
    }

    @Test func aBadDateSaysHowManyDaysTheMonthHas() {
        #expect(T.lex("2026-02-30").diagnostics.first?.help == "February 2026 has 28 days")
        #expect(T.lex("2024-02-30").diagnostics.first?.help == "February 2024 has 29 days")
        #expect(T.lex("2026-04-31").diagnostics.first?.help == "April 2026 has 30 days")
    }

    @Test func leapDaysFollowTheGregorianRules() {
        #expect(T.lex("2024-02-29").diagnostics.isEmpty)
        #expect(T.lex("2000-02-29").diagnostics.isEmpty)
        #expect(T.lex("2025-02-29").diagnostics.map(\.code) == [.invalidDate])
        #expect(T.lex("1900-02-29").diagnostics.map(\.code) == [.invalidDate])
    }

    @Test(arguments: [("3monts", "month"), ("3 vrkk", "vrk"), ("2wekos", "weeks"), ("4 yeras", "years"), ("5EUT", "EUR")])
    func anUnknownUnitSuggestsTheClosestOne(source: String, suggestion: String) {
        // With a space the lexer leaves the word to the parser; both suggest.
        let lexed = T.lex(source).diagnostics
        let parsed = T.expression(source).1
        let d = lexed.first ?? parsed.first
        #expect(d?.code == .unknownUnit)
        #expect(d?.help == "did you mean `\(suggestion)`?")
    }

    @Test func aMalformedTokenBecomesAnInvalidToken() {
        let ts = T.tokens("x = 2026-02-30 + 1")
        #expect(ts.map(\.kind) == [.identifier, .eq, .invalid, .plus, .number])
    }

    @Test func oneRunReportsEveryLexicalError() {
        let r = T.lex("\"\\q\" 2026-02-30\n& 3monts\n\"open")
        #expect(T.summary(r.diagnostics) == ["L103@1:2", "L104@1:6", "L107@2:1", "L105@2:4", "L102@3:1"])
    }

    @Test func lexingGoesOnAfterAnUnterminatedString() {
        let ts = T.tokens("note \"open\nlet x = 1")
        #expect(ts.map(\.kind) == [.identifier, .invalid, .keyword(.let), .identifier, .eq, .number])
    }

    // MARK: Invalid UTF-8, reported at its byte

    @Test(arguments: [
        ([0x61, 0x20, 0xFF], 2, "1:3", "0xFF"),                      // a byte that is never UTF-8
        (Array("ä ".utf8) + [0xFE], 3, "1:3", "0xFE"),              // columns after a multi-byte letter
        ([0x61, 0x0A, 0x62, 0x20, 0xC3], 4, "2:3", "0xC3"),         // a truncated sequence at the end
        ([0xE2, 0x82, 0x20, 0x61], 0, "1:1", "0xE2"),               // a truncated sequence mid-line
        ([0xC0, 0xAF, 0x20, 0x61], 0, "1:1", "0xC0"),               // an overlong encoding of `/`
        ([0xE0, 0x80, 0xAF], 0, "1:1", "0xE0"),                     // an overlong three-byte form
        ([0xED, 0xA0, 0x80], 0, "1:1", "0xED"),                     // a UTF-16 surrogate
        ([0xF4, 0x90, 0x80, 0x80], 0, "1:1", "0xF4"),               // past U+10FFFF
        ([0x80], 0, "1:1", "0x80"),                                 // a lone continuation byte
        (Array("\"Ty".utf8) + [0xF6] + Array("t\"".utf8), 3, "1:4", "0xF6"),  // Latin-1 in a string
        (Array("# c".utf8) + [0xFF], 3, "1:4", "0xFF"),             // in a comment
        (Array("Jäms".utf8) + [0xE4], 5, "1:5", "0xE4"),            // ending a name
    ] as [([UInt8], Int, String, String)])
    func invalidUTF8IsReportedAtItsByte(bytes: [UInt8], offset: Int, position: String, byte: String) throws {
        let r = Lexer.lex(T.file(bytes: bytes))
        let d = try #require(r.diagnostics.first { $0.code == .invalidUTF8 })
        #expect(d.span.start == offset)
        #expect(d.span.end == offset + 1)
        #expect(T.position(d) == position)
        #expect(d.message == "invalid UTF-8 byte \(byte)")
        #expect(d.help == "save the file as UTF-8")
        #expect(r.tokens.last?.kind == .eof)
    }

    @Test func validUTF8BeforeAndAfterABadByteStillLexes() {
        let r = Lexer.lex(T.file(bytes: Array("let a = ".utf8) + [0xFF] + Array(" Jämsä".utf8)))
        #expect(r.diagnostics.map(\.code) == [.invalidUTF8])
        #expect(r.tokens.dropLast().map(\.text) == ["let", "a", "=", "Jämsä"])
    }

    // MARK: Known issues

    @Test(.bug(id: "FE-UTF8-TRUNCATED", "a truncated sequence is reported once per byte, the second past the `�` shown"))
    func aTruncatedSequenceIsOneError() {
        let r = Lexer.lex(T.file(bytes: [0x61, 0x20, 0xE2, 0x82]))
        #expect(T.summary(r.diagnostics) == ["L101@1:3"])
    }

    @Test(.bug(id: "FE-UNIT-EMPTY", "a number followed by a non-letter, non-ASCII character reports `unknown unit ``"))
    func aNumberBeforeAnUnexpectedCharacterIsOneError() {
        for source in ["x = 1–2", "x = “T-1”", "x = 30≥ y"] {
            let r = T.lex(source)
            #expect(!r.diagnostics.contains { $0.code == .unknownUnit }, "`\(source)`: \(r.diagnostics.map(\.message))")
        }
    }

    @Test(.bug(id: "FE-TYPO-QUOTE", "message reads `unexpected a typographic quote`"))
    func theTypographicQuoteMessageReadsWell() {
        let d = T.lex("x = “a”").diagnostics.first
        #expect(d?.message == "unexpected typographic quote `“`")
    }
}
