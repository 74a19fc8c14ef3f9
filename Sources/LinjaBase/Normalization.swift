import Foundation

extension String {
    /// The NFC form: names are compared after normalisation.
    ///
    /// Text whose only non-ASCII characters are Latin-1 (U+0080 to U+00FF:
    /// Finnish and Swedish letters as keyboards type them) is already NFC:
    /// none of them decomposes, and none combines with what comes before.
    /// Only other text goes through Foundation, whose normalisation costs
    /// some ten thousand instructions a call.
    public var precomposedNFC: String {
        var latin1 = true
        for c in utf8 where c >= 0x80 {
            // A lead byte of U+0080…U+00FF is C2 or C3; continuation bytes are 80…BF.
            if c != 0xC2 && c != 0xC3 && c & 0xC0 != 0x80 { latin1 = false; break }
        }
        return latin1 ? self : precomposedStringWithCanonicalMapping
    }
}
