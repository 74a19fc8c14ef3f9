import Testing
@testable import Linja

@Suite struct SHA256Tests {
    /// FIPS 180-4 example messages (NIST CSRC "SHA256.pdf" and "SHA2 additional" vectors).
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func digestMatchesNISTVectors(message: String, digest: String) {
        #expect(SHA256.hex(message.utf8) == digest)
        #expect(SHA256.hex(Array(message.utf8)) == digest)
        #expect(SHA256.hash(message.utf8).count == 32)
    }

    @Test func digestOfOneMillionAMatchesNIST() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == expected)
        // The same message fed as 1000 updates of 1000 bytes.
        var hasher = SHA256Hasher()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(SHA256.hexString(hasher.finalize()) == expected)
    }

    /// Lengths around the padding boundaries (55/56 bytes fit or spill the length
    /// field; 64 is exactly one block). Digests from a reference implementation.
    @Test(arguments: [
        (55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"),
        (56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"),
        (63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"),
        (64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"),
        (65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"),
        (119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"),
        (120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"),
        (128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"),
    ])
    func paddingBoundariesHashCorrectly(length: Int, digest: String) {
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 % 251) }
        #expect(SHA256.hex(message) == digest)
    }

    @Test(arguments: [1, 3, 7, 13, 63, 64, 65, 100])
    func incrementalUpdatesInOddPiecesMatchOneShot(pieceSize: Int) {
        for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 300] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var hasher = SHA256Hasher()
            var start = 0
            var size = pieceSize
            while start < length {
                let end = min(start + size, length)
                hasher.update(message[start..<end])
                start = end
                size = size % 5 + pieceSize  // vary the piece size as we go
            }
            #expect(hasher.finalize() == SHA256.hash(message))
        }
    }

    @Test func nonContiguousSequencesHashLikeArrays() {
        let message = Array("The quick brown fox jumps over the lazy dog".utf8)
        let expected = "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
        #expect(SHA256.hex(message.lazy.map { $0 }) == expected)
        #expect(SHA256.hex(AnySequence(message)) == expected)
        var hasher = SHA256Hasher()
        hasher.update(message.prefix(10))
        hasher.update(message.dropFirst(10).lazy.map { $0 })
        #expect(SHA256.hexString(hasher.finalize()) == expected)
    }

    @Test func finalizeResetsTheHasherForReuse() {
        var hasher = SHA256Hasher()
        hasher.update("ignored".utf8)
        _ = hasher.finalize()
        hasher.update("abc".utf8)
        #expect(SHA256.hexString(hasher.finalize()) == SHA256.hex("abc".utf8))
        #expect(SHA256.hexString(hasher.finalize()) == SHA256.hex([UInt8]()))
    }

    @Test func copiesOfAHasherAreIndependent() {
        var first = SHA256Hasher()
        first.update("ab".utf8)
        var second = first
        first.update("c".utf8)
        second.update("d".utf8)
        #expect(SHA256.hexString(first.finalize()) == SHA256.hex("abc".utf8))
        #expect(SHA256.hexString(second.finalize()) == SHA256.hex("abd".utf8))
    }
}
