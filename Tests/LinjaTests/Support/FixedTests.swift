import Testing
@testable import Linja

/// Parses a known-valid test value; records an issue instead of trapping.
private func f(_ text: String) -> Fixed {
    guard let value = Fixed.parse(Substring(text)) else {
        Issue.record("bad test value \(text)")
        return Fixed(raw: 0)
    }
    return value
}

/// Parses through the allocation-free byte entry point.
private func parseBytes(_ text: String, decimalComma: Bool) -> Fixed? {
    var copy = text
    return copy.withUTF8 { Fixed.parse(bytes: UnsafeRawBufferPointer($0), decimalComma: decimalComma) }
}

@Suite struct FixedTests {
    // MARK: Parsing

    @Test(arguments: [
        ("3.82", Int64(3_820_000)), ("-1.5", -1_500_000), ("100", 100_000_000), ("+2", 2_000_000),
        ("0.000001", 1), ("-0.000001", -1), ("-0", 0), ("0", 0), ("007.50", 7_500_000), ("69.9", 69_900_000),
        ("9223372036854.775807", .max), ("-9223372036854.775807", -.max), ("1.000000", 1_000_000),
    ])
    func parseReadsExactDecimals(text: String, raw: Int64) {
        #expect(Fixed.parse(Substring(text)) == Fixed(raw: raw))
        #expect(Fixed.parse(Substring(text), decimalComma: true) == Fixed(raw: raw))
        #expect(parseBytes(text, decimalComma: false) == Fixed(raw: raw))
    }

    @Test(arguments: [
        "", "-", "+", "1.", ".5", "-.5", "+.5", "1.1234567", "1.0000000", "abc", "1e5", " 1", "1 ", "1.2.3",
        "9223372036854.775808", "-9223372036854.775808", "-9223372036854.775809", "99999999999999999999", "18446744073709.551616",
        "--1", "+-1", "1_000", "0x10", "1,5", "½", "１", "1.5 ", "-1.", "1\u{7F}",
    ])
    func parseRejectsMalformedOrOutOfRange(text: String) {
        #expect(Fixed.parse(Substring(text)) == nil)
        #expect(parseBytes(text, decimalComma: false) == nil)
    }

    @Test(arguments: [
        ("0,5", Int64(500_000)), ("1.25", 1_250_000), ("-3,82", -3_820_000), ("100", 100_000_000),
    ])
    func decimalCommaAcceptsCommaAndPoint(text: String, raw: Int64) {
        #expect(Fixed.parse(Substring(text), decimalComma: true) == Fixed(raw: raw))
        #expect(parseBytes(text, decimalComma: true) == Fixed(raw: raw))
    }

    @Test(arguments: ["1,", ",5", "1,2,3", "1.2,3", "1,1234567", "1 000,5", "-,5"])
    func decimalCommaStillRequiresDigitsOnBothSides(text: String) {
        #expect(Fixed.parse(Substring(text), decimalComma: true) == nil)
        #expect(parseBytes(text, decimalComma: true) == nil)
    }

    @Test func parseReadsOnlyTheSubstring() {
        let fields = "a;3.82;0,5;".split(separator: ";")
        #expect(Fixed.parse(fields[1]) == Fixed(raw: 3_820_000))
        #expect(Fixed.parse(fields[2], decimalComma: true) == Fixed(raw: 500_000))
    }

    @Test func parseNeverTrapsAndAcceptedTextRoundTrips() {
        // Deterministic pseudo-random strings over the characters numbers are made of.
        let alphabet = Array("0123456789.,+-9".utf8)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state >> 59) % 24
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(alphabet[Int(state >> 33) % alphabet.count])
            }
            let parsed = bytes.withUnsafeBytes { Fixed.parse(bytes: $0, decimalComma: true) }
            if let parsed {
                #expect(Fixed.parse(Substring(parsed.formatted())) == parsed)
            }
        }
    }

    // MARK: Formatting

    @Test(arguments: [
        (Int64(3_820_000), "3.82"), (100_000_000, "100"), (-500_000, "-0.5"), (1, "0.000001"), (0, "0"),
        (-1, "-0.000001"), (69_900_000, "69.9"), (-1_000_000, "-1"), (10_000_000, "10"),
        (.max, "9223372036854.775807"), (.min, "-9223372036854.775808"),
    ])
    func formattedIsTheShortestExactForm(raw: Int64, text: String) {
        #expect(Fixed(raw: raw).formatted() == text)
        #expect(Fixed(raw: raw).description == text)
    }

    @Test func decimalCommaFormattingUsesAComma() {
        #expect(f("3.82").formatted(decimalComma: true) == "3,82")
        #expect(f("-0.5").formatted(decimalComma: true) == "-0,5")
        #expect(f("100").formatted(decimalComma: true) == "100")
    }

    @Test(arguments: [
        ("3.82", 2, "3.82"), ("3.8", 2, "3.80"), ("100", 2, "100.00"), ("1", 6, "1.000000"),
        ("0.000001", 2, "0.000001"), ("5", 9, "5.000000"), ("5", -1, "5"), ("-0.5", 3, "-0.500"),
    ])
    func minimumFractionDigitsPadsWithZeros(text: String, digits: Int, expected: String) {
        #expect(f(text).formatted(minimumFractionDigits: digits) == expected)
    }

    @Test(arguments: ["3.82", "100", "-0.5", "0.000001", "69.9", "-9223372036854.775807", "123456.789012"])
    func canonicalTextRoundTrips(text: String) {
        #expect(f(text).formatted() == text)
    }

    @Test func formattedValuesParseBack() {
        var raw: Int64 = 1
        var values: [Int64] = [0, .max, -.max, -1]
        for _ in 0..<62 {
            values.append(raw)
            values.append(-raw)
            values.append(raw &+ 7)
            raw = raw &* 3 &+ 1
        }
        for value in values where value != .min {
            let fixed = Fixed(raw: value)
            #expect(Fixed.parse(Substring(fixed.formatted())) == fixed)
            #expect(Fixed.parse(Substring(fixed.formatted(decimalComma: true)), decimalComma: true) == fixed)
            #expect(Fixed.parse(Substring(fixed.formatted(minimumFractionDigits: 6))) == fixed)
        }
    }

    // MARK: Arithmetic

    @Test func pointOnePlusPointTwoIsPointThree() {
        #expect(f("0.1").adding(f("0.2")) == f("0.3"))
        #expect(f("0.3").subtracting(f("0.1")) == f("0.2"))
    }

    @Test(arguments: [
        ("1.5", "1.5", "2.25"), ("69.9", "0.01", "0.699"), ("3.82", "-2", "-7.64"),
        ("0.000001", "0.5", "0.000001"), ("-0.000001", "0.5", "-0.000001"), ("0.000001", "0.4", "0"),
        ("-0.000001", "0.4", "0"), ("0.000003", "0.5", "0.000002"), ("1000000", "1000000", "1000000000000"),
        ("0", "-5", "0"),
    ])
    func multiplicationRoundsHalfAwayFromZero(a: String, b: String, expected: String) {
        #expect(f(a).multiplied(by: f(b)) == f(expected))
        #expect(f(b).multiplied(by: f(a)) == f(expected))
    }

    @Test(arguments: [
        ("1", "3", "0.333333"), ("2", "3", "0.666667"), ("-2", "3", "-0.666667"), ("2", "-3", "-0.666667"),
        ("-2", "-3", "0.666667"), ("1", "8", "0.125"), ("10", "4", "2.5"), ("0.000001", "2", "0.000001"),
        ("-0.000001", "2", "-0.000001"), ("0.000001", "3", "0"), ("3.82", "0.5", "7.64"), ("0", "7", "0"),
    ])
    func divisionRoundsHalfAwayFromZero(a: String, b: String, expected: String) {
        #expect(f(a).divided(by: f(b)) == f(expected))
    }

    @Test func divisionByZeroIsNil() {
        #expect(f("1").divided(by: f("0")) == nil)
        #expect(f("0").divided(by: f("0")) == nil)
    }

    @Test func overflowReturnsNil() {
        let max = Fixed(raw: .max), min = Fixed(raw: -.max), tiny = Fixed(raw: 1)
        #expect(max.adding(tiny) == nil)
        #expect(min.subtracting(tiny) == nil)
        #expect(min.adding(Fixed(raw: -1)) == nil)
        #expect(max.subtracting(Fixed(raw: -1)) == nil)
        #expect(max.multiplied(by: f("2")) == nil)
        #expect(max.multiplied(by: f("-1")) == min)
        #expect(f("10000000").multiplied(by: f("10000000")) == nil)
        #expect(max.divided(by: f("0.5")) == nil)
        #expect(max.multiplied(by: f("1")) == max)
        #expect(min.divided(by: f("1")) == min)
        #expect(min.divided(by: f("-1")) == max)
    }

    /// -2^63 millionths is the compiled evaluator's "missing": no parse and
    /// no arithmetic gives it, so data can never be read as missing (issue 17, item 16).
    @Test func theMissingSentinelIsNeverAValue() {
        let min = Fixed(raw: -.max), tiny = Fixed(raw: 1)
        #expect(Fixed.parse("-9223372036854.775808") == nil)
        #expect(min.subtracting(tiny) == nil)
        #expect(min.adding(Fixed(raw: -1)) == nil)
        #expect(f("-4611686018427.387904").multiplied(by: f("2")) == nil)
        #expect(Fixed(raw: -.max).rounded(fractionDigits: 1) == nil)
    }

    @Test(arguments: [
        ("-9223372036854.775808", true), ("9223372036854.775808", true), ("99999999999999999999", true),
        ("1.5", false), ("abc", false), ("1.1234567", false), ("-", false), ("9223372036854.775807", false),
    ])
    func outOfRangeIsToldFromNotANumber(text: String, outOfRange: Bool) {
        var copy = text
        #expect(copy.withUTF8 { Fixed.isOutOfRange(bytes: UnsafeRawBufferPointer($0), decimalComma: false) } == outOfRange)
    }

    @Test(arguments: [
        ("3.84", 1, "3.8"), ("3.85", 1, "3.9"), ("-3.85", 1, "-3.9"), ("2.5", 0, "3"), ("-2.5", 0, "-3"),
        ("1.234567", 6, "1.234567"), ("9223372036854.7", 1, "9223372036854.7"),
    ])
    func roundingIsHalfAwayFromZero(text: String, digits: Int, expected: String) {
        #expect(f(text).rounded(fractionDigits: digits) == f(expected))
    }

    /// Rounding 9223372036854.77 up to one decimal would pass the end of the
    /// range: nil, never a trap (the goal table's overflow, issue 17 item 1).
    @Test func roundingPastTheEndOfTheRangeIsNil() {
        #expect(f("9223372036854.77").rounded(fractionDigits: 1) == nil)
        #expect(f("-9223372036854.77").rounded(fractionDigits: 1) == nil)
        #expect(f("9223372036854.74").rounded(fractionDigits: 1) == f("9223372036854.7"))
    }

    @Test(arguments: [(0, Int64(0)), (-3, -3_000_000), (9_223_372_036_854, 9_223_372_036_854_000_000)])
    func integerInitScalesExactly(integer: Int, raw: Int64) {
        #expect(Fixed(integer: integer) == Fixed(raw: raw))
    }

    @Test(arguments: [9_223_372_036_855, -9_223_372_036_855, Int.max, Int.min])
    func integerInitOverflowIsNil(integer: Int) {
        #expect(Fixed(integer: integer) == nil)
    }

    @Test(arguments: [
        ("100", Int64?.some(100)), ("-3", -3), ("0", 0), ("3.82", nil), ("-0.5", nil), ("0.000001", nil),
    ])
    func integerValueIsExactOrNil(text: String, expected: Int64?) {
        #expect(f(text).integerValue == expected)
        #expect(f(text).isInteger == (expected != nil))
    }

    @Test func orderingFollowsValue() {
        let sorted = ["-2", "-0.5", "0", "0.000001", "0.1", "3.82", "100"].map(f)
        #expect(sorted == sorted.sorted())
        #expect(f("0.30") == f("0.3"))
        #expect(Set([f("0.30"), f("0.3")]).count == 1)
    }
}
