import Foundation
import Testing
import LinjaBase

/// `precomposedNFC` skips Foundation for text that is already NFC because
/// its only non-ASCII letters are Latin-1; it must give what Foundation
/// gives for every text.
struct NormalizationTests {
    @Test(arguments: [
        "limit", "Mänttä-Vilppula", "Jämsä", "Åland", "œuvre",
        "a\u{308}",            // ä written as a + combining diaeresis
        "A\u{30A}land",        // Å the same way
        "Ma\u{308}ntta\u{308}",
        "ä\u{301}",            // a Latin-1 letter followed by a combining mark
        "lіmit",               // with a Cyrillic і
        "Ω", "\u{212B}",       // Ohm sign, Angstrom sign: singletons that NFC replaces
        "½ ¼ ° ¨ ´",           // Latin-1 symbols with compatibility forms only
        "€", "", "\u{FFFD}",
    ])
    func givesWhatFoundationGives(_ text: String) {
        let nfc = text.precomposedNFC
        #expect(Array(nfc.unicodeScalars) == Array(text.precomposedStringWithCanonicalMapping.unicodeScalars))
    }
}
