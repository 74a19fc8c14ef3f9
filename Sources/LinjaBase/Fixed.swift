/// An exact decimal: an `Int64` count of millionths (scale 10^6). The range
/// is symmetric, ±9223372036854.775807: `Int64.min` millionths is never a
/// value (the compiled evaluator uses it to mean "missing"), so parsing and
/// arithmetic give nil where a result would be that.
///
/// Policy values (`69.9 %`, `3.82`) must compare and add exactly, so `0.1 + 0.2 == 0.3`
/// holds; `Double` cannot promise that and Foundation's `Decimal` is too slow here.
/// Addition and subtraction are exact. Multiplication and division compute the exact
/// result and round it to 6 decimals **half away from zero** (0.0000005 → 0.000001,
/// -0.0000005 → -0.000001), so results do not depend on the sign. Every operation
/// returns nil instead of trapping on overflow or division by zero.
public struct Fixed: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Units per 1: values are stored in millionths.
    public static let scale: Int64 = 1_000_000
    /// Number of decimal places `scale` represents.
    static let fractionDigits = 6

    /// The value in millionths: 3.82 is 3_820_000.
    public var raw: Int64

    /// Wraps a count of millionths: `Fixed(raw: 1_500_000)` is 1.5.
    public init(raw: Int64) {
        self.raw = raw
    }

    /// The whole number `integer`, or nil if it does not fit.
    public init?(integer: Int) {
        let (raw, overflow) = Int64(integer).multipliedReportingOverflow(by: Fixed.scale)
        guard !overflow, raw != Int64.min else { return nil }
        self.raw = raw
    }

    /// The largest value; the smallest is its negation.
    public static let greatest = Fixed(raw: Int64.max)

    /// A value, unless `raw` is the one raw value outside the range.
    static func inRange(_ raw: Int64) -> Fixed? {
        raw == Int64.min ? nil : Fixed(raw: raw)
    }

    /// Numeric order.
    public static func < (lhs: Fixed, rhs: Fixed) -> Bool {
        lhs.raw < rhs.raw
    }

    /// Parses "3.82", "-1.5", "+100": an optional sign, digits, then optionally a
    /// separator and 1...6 digits. With `decimalComma` both ',' and '.' separate
    /// (Finnish data uses either); otherwise only '.'. Nil for "", "1.", ".5",
    /// more than 6 fractional digits, a value outside the range (see
    /// `isOutOfRange`) or any other character.
    public static func parse(_ text: Substring, decimalComma: Bool = false) -> Fixed? {
        if let result = text.utf8.withContiguousStorageIfAvailable({ buffer in
            parse(bytes: UnsafeRawBufferPointer(buffer), decimalComma: decimalComma)
        }) {
            return result
        }
        var copy = String(text)
        return copy.withUTF8 { parse(bytes: UnsafeRawBufferPointer($0), decimalComma: decimalComma) }
    }

    /// `parse(_:decimalComma:)` on raw UTF-8 bytes, without allocating.
    public static func parse(bytes: UnsafeRawBufferPointer, decimalComma: Bool) -> Fixed? {
        var index = 0
        let end = bytes.count
        var negative = false
        if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        // Integer part, accumulated as a magnitude so Int64.min stays reachable.
        var integer: UInt64 = 0
        let integerStart = index
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { break }
            let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            integer = sum
            index += 1
        }
        guard index > integerStart else { return nil }
        // Fraction part.
        var fraction: UInt64 = 0
        var fractionDigits = 0
        if index < end {
            let separator = bytes[index]
            guard separator == UInt8(ascii: ".") || (decimalComma && separator == UInt8(ascii: ","))
            else { return nil }
            index += 1
            while index < end {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit <= 9, fractionDigits < Fixed.fractionDigits else { return nil }
                fraction = fraction * 10 + UInt64(digit)
                fractionDigits += 1
                index += 1
            }
            guard fractionDigits > 0 else { return nil }
        }
        for _ in fractionDigits..<Fixed.fractionDigits {
            fraction *= 10
        }
        let (scaled, o1) = integer.multipliedReportingOverflow(by: UInt64(Fixed.scale))
        let (magnitude, o2) = scaled.addingReportingOverflow(fraction)
        guard !o1, !o2 else { return nil }
        // The range is symmetric: -2^63 millionths is not a value.
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Fixed(raw: negative ? -Int64(magnitude) : Int64(magnitude))
    }

    /// Whether `bytes` are written as a number (`parse`'s form) but its value
    /// lies outside the range, so a reader can say so rather than "not a number".
    public static func isOutOfRange(bytes: UnsafeRawBufferPointer, decimalComma: Bool) -> Bool {
        var i = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        let digitsStart = i
        while i < bytes.count, bytes[i] &- UInt8(ascii: "0") <= 9 { i += 1 }
        guard i > digitsStart else { return false }
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: ".") || (decimalComma && bytes[i] == UInt8(ascii: ",")) else { return false }
            i += 1
            let fractionStart = i
            while i < bytes.count, bytes[i] &- UInt8(ascii: "0") <= 9 { i += 1 }
            guard i == bytes.count, (1...fractionDigits).contains(i - fractionStart) else { return false }
        }
        return parse(bytes: bytes, decimalComma: decimalComma) == nil
    }

    /// Exact sum, or nil on overflow.
    public func adding(_ o: Fixed) -> Fixed? {
        let (result, overflow) = raw.addingReportingOverflow(o.raw)
        return overflow ? nil : Fixed.inRange(result)
    }

    /// Exact difference, or nil on overflow.
    public func subtracting(_ o: Fixed) -> Fixed? {
        let (result, overflow) = raw.subtractingReportingOverflow(o.raw)
        return overflow ? nil : Fixed.inRange(result)
    }

    /// Product rounded to 6 decimals half away from zero, or nil on overflow.
    public func multiplied(by o: Fixed) -> Fixed? {
        // |raw * raw| < 2^126, so the Int128 product is exact.
        Fixed.rounded(Int128(raw) * Int128(o.raw), dividedBy: Int128(Fixed.scale))
    }

    /// Quotient rounded to 6 decimals half away from zero, or nil on division by
    /// zero or overflow. 2/3 is 0.666667 and -2/3 is -0.666667.
    public func divided(by o: Fixed) -> Fixed? {
        guard o.raw != 0 else { return nil }
        // |raw * 10^6| < 2^83, so the Int128 numerator is exact.
        return Fixed.rounded(Int128(raw) * Int128(Fixed.scale), dividedBy: Int128(o.raw))
    }

    /// The value rounded to `digits` decimals (0...6), half away from zero,
    /// or nil when the rounded value does not fit (near the limits of the
    /// range, where rounding up would overflow).
    public func rounded(fractionDigits digits: Int) -> Fixed? {
        var unit: Int64 = 1
        for _ in 0..<(Fixed.fractionDigits - min(max(digits, 0), Fixed.fractionDigits)) { unit *= 10 }
        guard unit > 1 else { return self }
        let q = Fixed.rounded(Int128(raw), dividedBy: Int128(unit))
        guard let q, let raw = Int64(exactly: Int128(q.raw) * Int128(unit)) else { return nil }
        return Fixed.inRange(raw)
    }

    /// True when there is no fractional part.
    public var isInteger: Bool {
        raw % Fixed.scale == 0
    }

    /// The exact integer value, or nil if the value has a fractional part.
    public var integerValue: Int64? {
        isInteger ? raw / Fixed.scale : nil
    }

    /// The shortest exact decimal form ("3.82", "100", "-0.5", "0.000001"), with
    /// trailing zeros added up to `minimumFractionDigits` (clamped to 0...6, the
    /// digits a `Fixed` holds). `decimalComma` writes "3,82" for Finnish output.
    public func formatted(decimalComma: Bool = false, minimumFractionDigits: Int = 0) -> String {
        let magnitude = raw.magnitude
        let unit = UInt64(Fixed.scale)
        var fraction = magnitude % unit
        var digits = Fixed.fractionDigits
        let minimum = min(max(minimumFractionDigits, 0), Fixed.fractionDigits)
        while digits > minimum, fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(28)
        if raw < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        Fixed.appendDigits(of: magnitude / unit, minimumWidth: 1, to: &bytes)
        if digits > 0 {
            bytes.append(decimalComma ? UInt8(ascii: ",") : UInt8(ascii: "."))
            Fixed.appendDigits(of: fraction, minimumWidth: digits, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `formatted()`: the shortest exact form with a decimal point.
    public var description: String { formatted() }

    // MARK: - Internals

    /// `numerator / denominator` rounded half away from zero, if it fits in `Int64`.
    /// `denominator` must be non-zero.
    private static func rounded(_ numerator: Int128, dividedBy denominator: Int128) -> Fixed? {
        var (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        if remainder.magnitude * 2 >= denominator.magnitude {
            quotient += (numerator < 0) == (denominator < 0) ? 1 : -1
        }
        guard let raw = Int64(exactly: quotient) else { return nil }
        return inRange(raw)
    }

    /// Appends the decimal digits of `value`, left-padded with zeros to `minimumWidth`.
    private static func appendDigits(of value: UInt64, minimumWidth: Int, to bytes: inout [UInt8]) {
        // Digits come out least significant first; reverse them in place afterwards.
        let start = bytes.count
        var v = value
        var width = 0
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10))
            v /= 10
            width += 1
        } while v > 0
        while width < minimumWidth {
            bytes.append(UInt8(ascii: "0"))
            width += 1
        }
        bytes[start...].reverse()
    }
}
