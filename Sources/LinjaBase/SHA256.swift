/// SHA-256 (FIPS 180-4), for fingerprinting policies and inputs.
///
/// Linux has no CryptoKit and the package takes no dependencies, so the hash is
/// implemented here directly from the specification.
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func hash<S: Sequence>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The digest of `bytes` as 64 lowercase hex characters.
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        hexString(hash(bytes))
    }

    /// Lowercase hex of `bytes` (a digest as people read it).
    public static func hexString(_ bytes: [UInt8]) -> String {
        let alphabet: StaticString = "0123456789abcdef"
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        alphabet.withUTF8Buffer { digits in
            for byte in bytes {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Round constants: first 32 bits of the fractional parts of the cube roots
    /// of the first 64 primes (FIPS 180-4, 4.2.2).
    static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}

/// Incremental SHA-256: feed data in pieces of any size, then `finalize()`.
///
/// Useful when the input arrives in chunks (a file read in blocks, a policy
/// hashed together with its data) and concatenating it first would be wasteful.
public struct SHA256Hasher: Sendable {
    /// The eight working hash words H0...H7.
    private var h0: UInt32 = 0, h1: UInt32 = 0, h2: UInt32 = 0, h3: UInt32 = 0
    private var h4: UInt32 = 0, h5: UInt32 = 0, h6: UInt32 = 0, h7: UInt32 = 0
    /// Bytes of the current, not yet full, 64-byte block.
    private var block = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    /// Total message length in bytes (modulo 2^64; the padding stores it in bits).
    private var length: UInt64 = 0

    /// A hasher for the empty message.
    public init() {
        reset()
    }

    /// Appends `bytes` to the message.
    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(contiguous: UnsafeRawBufferPointer(buffer))
        }
        if handled != nil { return }
        for byte in bytes {
            append(byte)
        }
    }

    /// Pads the message and returns its 32-byte digest, then resets the hasher
    /// to the empty message so it can be reused.
    public mutating func finalize() -> [UInt8] {
        let bitLength = length &* 8
        append(0x80)
        while blockCount != 56 {
            append(0x00)
        }
        for shift in stride(from: 56, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in [h0, h1, h2, h3, h4, h5, h6, h7] {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        reset()
        return digest
    }

    // MARK: - Internals

    /// Back to the initial hash value (FIPS 180-4, 5.3.3) and an empty message.
    private mutating func reset() {
        h0 = 0x6a09_e667; h1 = 0xbb67_ae85; h2 = 0x3c6e_f372; h3 = 0xa54f_f53a
        h4 = 0x510e_527f; h5 = 0x9b05_688c; h6 = 0x1f83_d9ab; h7 = 0x5be0_cd19
        blockCount = 0
        length = 0
    }

    /// Appends one byte, compressing when the block fills.
    private mutating func append(_ byte: UInt8) {
        block[blockCount] = byte
        blockCount += 1
        length &+= 1
        if blockCount == 64 {
            compressBufferedBlock()
        }
    }

    /// Appends a contiguous run: tops up the buffered block, compresses whole
    /// blocks straight from the input, and buffers the tail.
    private mutating func update(contiguous input: UnsafeRawBufferPointer) {
        var offset = 0
        let count = input.count
        length &+= UInt64(count)
        if blockCount > 0 {
            let take = min(64 - blockCount, count)
            for i in 0..<take {
                block[blockCount + i] = input[i]
            }
            blockCount += take
            offset = take
            if blockCount < 64 { return }
            compressBufferedBlock()
        }
        while count - offset >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + 64)]))
            offset += 64
        }
        for i in offset..<count {
            block[i - offset] = input[i]
        }
        blockCount = count - offset
    }

    private mutating func compressBufferedBlock() {
        let copy = block
        copy.withUnsafeBytes { compress($0) }
        blockCount = 0
    }

    /// The SHA-256 compression function on one 64-byte block (FIPS 180-4, 6.2.2).
    private mutating func compress(_ chunk: UnsafeRawBufferPointer) {
        let k = SHA256.k
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                let i = t * 4
                w[t] = UInt32(chunk[i]) << 24 | UInt32(chunk[i + 1]) << 16
                    | UInt32(chunk[i + 2]) << 8 | UInt32(chunk[i + 3])
            }
            for t in 16..<64 {
                let x = w[t - 15], y = w[t - 2]
                let s0 = x.rotatedRight(7) ^ x.rotatedRight(18) ^ (x >> 3)
                let s1 = y.rotatedRight(17) ^ y.rotatedRight(19) ^ (y >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
            for t in 0..<64 {
                let sigma1 = e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)
                let choice = (e & f) ^ (~e & g)
                let t1 = h &+ sigma1 &+ choice &+ k[t] &+ w[t]
                let sigma0 = a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)
                let majority = (a & b) ^ (a & c) ^ (b & c)
                let t2 = sigma0 &+ majority
                h = g; g = f; f = e; e = d &+ t1
                d = c; c = b; b = a; a = t1 &+ t2
            }
            h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
            h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
        }
    }
}

extension UInt32 {
    /// Circular right shift, ROTR in FIPS 180-4.
    @inline(__always)
    fileprivate func rotatedRight(_ n: UInt32) -> UInt32 {
        (self >> n) | (self << (32 - n))
    }
}
