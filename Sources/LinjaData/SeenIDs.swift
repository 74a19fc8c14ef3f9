import LinjaBase
import LinjaSyntax
import LinjaModel

/// The ids read so far from a client file, each with the row it was first on,
/// so that a repeated id is rejected naming the earlier row.
///
/// It keeps a 96-bit fingerprint of each id, not the id, and no `String`:
/// the fingerprints and rows in a plain array in reading order (16 bytes per
/// id, written one after another), and an open-addressing index over it of
/// 8 bytes per slot (a 32-bit tag and the entry's position), at most three
/// quarters full. Only the index is touched at random, so it stays small.
/// Two different ids share a fingerprint with probability about n² / 2⁹⁷:
/// for ten million ids, about 1 in 10¹⁵. Ids are compared as Swift compares
/// strings (canonically equivalent texts are the same id): an id that is not
/// ASCII is fingerprinted in its NFC form.
struct SeenIDs {
    /// Per id, in reading order: the fingerprint's first 64 bits, then its
    /// last 32 bits above the row's 32.
    private var entries: [UInt64] = []
    /// Per slot: 0 when empty, else the tag (bits 32–63 of the first
    /// fingerprint word) above the entry's position + 1.
    private var index: [UInt64] = []
    private var mask = -1

    var count: Int { entries.count / 2 }

    /// The row `id` was first seen on, or nil after recording it on `row`.
    mutating func firstRow(of id: String, row: Int) -> Int? {
        firstRow(fingerprint: SeenIDs.fingerprint(id), row: row)
    }

    /// The same for an id already fingerprinted.
    mutating func firstRow(fingerprint: (UInt64, UInt32), row: Int) -> Int? {
        let (h, l) = fingerprint
        if count + 1 > (mask + 1) / 4 * 3 { grow() }
        let tag = h & 0xFFFF_FFFF_0000_0000
        let rest = UInt64(l) << 32
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = index[i]
            if slot == 0 {
                index[i] = tag | UInt64(count + 1)
                entries.append(h)
                entries.append(rest | UInt64(UInt32(truncatingIfNeeded: row)))
                return nil
            }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let e = 2 * (Int(slot & 0xFFFF_FFFF) - 1)
                if entries[e] == h, entries[e + 1] & 0xFFFF_FFFF_0000_0000 == rest {
                    return Int(entries[e + 1] & 0xFFFF_FFFF)
                }
            }
            i = (i + 1) & mask
        }
    }

    /// Doubles the index, filling it from the entries in order.
    private mutating func grow() {
        let slots = max(1024, (mask + 1) * 2)
        index = [UInt64](repeating: 0, count: slots)
        mask = slots - 1
        var e = 0
        while e < entries.count {
            let h = entries[e]
            var i = Int(truncatingIfNeeded: h) & mask
            while index[i] != 0 { i = (i + 1) & mask }
            index[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(e / 2 + 1)
            e += 2
        }
    }

    /// A 96-bit fingerprint (64 + 32 bits) of an id's UTF-8 bytes (NFC form when not ASCII).
    static func fingerprint(_ id: String) -> (UInt64, UInt32) {
        var s = id
        if let f = s.withUTF8({ fingerprint(ascii: UnsafeRawBufferPointer($0)) }) { return f }
        s = s.precomposedStringWithCanonicalMapping
        return s.withUTF8 { fingerprint(UnsafeRawBufferPointer($0)) }
    }

    /// The fingerprint of ASCII bytes; nil when a byte is not ASCII.
    static func fingerprint(ascii bytes: UnsafeRawBufferPointer) -> (UInt64, UInt32)? {
        var high: UInt8 = 0
        for b in bytes { high |= b }
        return high < 0x80 ? fingerprint(bytes) : nil
    }

    static func fingerprint(_ bytes: UnsafeRawBufferPointer) -> (UInt64, UInt32) {
        // Two lanes with different multipliers over 8-byte words, each
        // finished with MurmurHash3's fmix64, then crossed.
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            a = (a ^ w) &* 0x9FB2_1C65_1E98_DF25
            a ^= a >> 29
            b = (b &+ w) &* 0xD6E8_FEB8_6659_FD93
            b = (b << 31) | (b >> 33)
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            a = (a ^ w) &* 0x9FB2_1C65_1E98_DF25
            a ^= a >> 29
            b = (b &+ w) &* 0xD6E8_FEB8_6659_FD93
            b = (b << 31) | (b >> 33)
        }
        let x = fmix(a &+ b)
        let y = fmix(b ^ (a >> 7) ^ 0x5851_F42D_4C95_7F2D)
        return (x == 0 ? 1 : x, UInt32(truncatingIfNeeded: y))
    }

    @inline(__always)
    private static func fmix(_ k0: UInt64) -> UInt64 {
        var k = k0
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }
}
