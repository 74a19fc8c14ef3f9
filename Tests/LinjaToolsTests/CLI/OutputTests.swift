import Foundation
import LinjaTestSupport
import Testing
@testable import LinjaTools

/// Output to a file descriptor: small writes go through the buffer, large
/// blocks (a chunk's decisions) straight out in pieces of at most 256 KB.
struct OutputTests {
    /// Writes `pieces` (text, then a block of bytes, alternately) to a file
    /// and reads the file back.
    static func written(_ sizes: [Int]) throws -> (got: [UInt8], want: [UInt8]) {
        let path = Scratch.root + "linja-output-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        var want: [UInt8] = []
        do {
            let output = Output(fd: fd, name: "'\(path)'")
            for (k, size) in sizes.enumerated() {
                // Bytes that tell their place: a piece out of order shows.
                let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ k) }
                if k % 2 == 0 {
                    let text = "piece \(k)\n"
                    output.write(text)
                    want += Array(text.utf8)
                }
                output.write(bytes: bytes)
                want += bytes
            }
            output.flush()
        }
        close(fd)
        let got = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        return (got, want)
    }

    @Test(arguments: [
        [10, 20],                                      // all through the buffer
        [Output.blockSize - 1, 1],                     // just under a block, then the buffer is full
        [Output.blockSize, 5, Output.blockSize + 1],   // blocks straight out, between buffered text
        [3 * Output.largestWrite + 17, 40],            // a block in several pieces
        [100, 700_000, 100, 1_000_000],                // chunk outputs between small writes
    ])
    func everythingWrittenArrivesWholeAndInOrder(sizes: [Int]) throws {
        let (got, want) = try OutputTests.written(sizes)
        #expect(got.count == want.count)
        // Where the bytes first differ, not the megabytes themselves.
        let firstDifference = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil)
    }
}
