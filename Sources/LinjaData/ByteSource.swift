#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LinjaBase
import LinjaSyntax
import LinjaModel

/// Chunked input for the readers: a growable window over a file descriptor
/// or an in-memory array.
///
/// The readers scan `base[0..<count]` directly. When they run out of bytes
/// they call `refill(keepingFrom:)`, which drops what they no longer need
/// (everything before the start of the record being read), slides the rest
/// to the front and reads one more chunk behind it. The window only grows
/// when a single record is larger than it, so memory stays at one chunk plus
/// the largest record, whatever the size of the input. Input is read with
/// `read(2)`, never mapped: mapped pages would count as resident memory.
///
/// A non-copyable struct: it owns its buffer and descriptor and frees them
/// when it goes away, and the readers reach its fields without the run-time
/// exclusivity checks that class properties cost.
struct ByteSource: ~Copyable {
    private enum Origin {
        case descriptor(Int32, closeWhenDone: Bool)
        case memory([UInt8])
        /// Positional reads from `next` on (a worker's range of a file or a
        /// spooled stream).
        case positional(PositionalInput, next: Int)
    }

    private var origin: Origin
    /// What to call the input in error messages.
    private let name: String
    /// Bytes already copied out of `.memory`.
    private var memoryOffset = 0
    /// Largest single read; tests use tiny sizes to put chunk boundaries
    /// everywhere.
    let chunkSize: Int
    /// Buffered bytes are `base[0..<count]`; the pointer changes when the
    /// window grows, so never keep it across a `refill`.
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count = 0
    /// True once the origin reported end of input. Bytes may still be
    /// buffered.
    private(set) var isAtEnd = false
    /// The input position of `base[0]`: the bytes dropped by `refill` so far
    /// (plus the start, for a positional source).
    private(set) var offset = 0

    /// The smallest window, so that a tiny chunk size does not also mean a
    /// tiny buffer that has to grow many times.
    private static let minimumCapacity = 4096

    /// Opens `path` for reading; "-" means standard input (not closed when
    /// done).
    init(path: String, chunkSize: Int) throws(DataIOFailure) {
        if path == "-" {
            self.init(fileDescriptor: 0, closeWhenDone: false, chunkSize: chunkSize, name: "standard input")
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw DataIOFailure.fromErrno("cannot open '\(path)'")
        }
        #if os(Linux)
        // A hint for read-ahead; failure is harmless.
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        self.init(fileDescriptor: fd, closeWhenDone: true, chunkSize: chunkSize, name: "'\(path)'")
    }

    init(fileDescriptor: Int32, closeWhenDone: Bool, chunkSize: Int, name: String = "the input") {
        origin = .descriptor(fileDescriptor, closeWhenDone: closeWhenDone)
        self.name = name
        self.chunkSize = max(1, chunkSize)
        capacity = max(self.chunkSize, ByteSource.minimumCapacity)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    init(bytes: [UInt8], chunkSize: Int) {
        origin = .memory(bytes)
        name = "the input"
        self.chunkSize = max(1, chunkSize)
        capacity = max(self.chunkSize, ByteSource.minimumCapacity)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    /// Reads `input` from position `start` on, `chunkSize` bytes at a time.
    init(input: PositionalInput, start: Int, chunkSize: Int) {
        origin = .positional(input, next: start)
        name = input.name
        offset = start
        self.chunkSize = max(1, chunkSize)
        capacity = max(self.chunkSize, ByteSource.minimumCapacity)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    deinit {
        base.deallocate()
        if case .descriptor(let fd, closeWhenDone: true) = origin {
            _ = close(fd)
        }
    }

    private mutating func closeDescriptor() {
        if case .descriptor(let fd, closeWhenDone: true) = origin {
            _ = close(fd)
        }
        origin = .memory([])
    }

    /// Discards `base[0..<keep]`, moves the remaining bytes to the front and
    /// reads one more chunk (fewer bytes at end of input). Returns how far
    /// the kept bytes moved, so the caller can subtract it from every
    /// position it holds. At end of input it sets `isAtEnd` instead.
    @discardableResult
    mutating func refill(keepingFrom keep: Int) throws(DataIOFailure) -> Int {
        let shift = min(max(0, keep), count)
        if shift > 0 {
            let kept = count - shift
            if kept > 0 {
                // The regions overlap whenever more is kept than dropped.
                memmove(base, base + shift, kept)
            }
            count = kept
            offset += shift
        }
        if count == capacity {
            grow()
        }
        let n = try readChunk(into: base + count, maximum: min(chunkSize, capacity - count))
        if n == 0 {
            isAtEnd = true
            closeDescriptor()
        } else {
            count += n
        }
        return shift
    }

    /// Reads, keeping every buffered byte, until at least `n` bytes are
    /// buffered or the input ends. Returns whether `n` bytes are there.
    mutating func fill(atLeast n: Int) throws(DataIOFailure) -> Bool {
        while count < n && !isAtEnd {
            try refill(keepingFrom: 0)
        }
        return count >= n
    }

    /// Reads, dropping the bytes before `keep`, until at least `n` bytes
    /// from `keep` on are buffered or the input ends. Returns how far the
    /// kept bytes moved.
    mutating func fill(keepingFrom keep: Int, atLeast n: Int) throws(DataIOFailure) -> Int {
        var shift = 0
        var k = keep
        while count - k < n && !isAtEnd {
            let s = try refill(keepingFrom: k)
            shift += s
            k -= s
        }
        return shift
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    private mutating func readChunk(into destination: UnsafeMutablePointer<UInt8>,
                                    maximum: Int) throws(DataIOFailure) -> Int {
        switch origin {
        case .memory(let bytes):
            let n = min(maximum, bytes.count - memoryOffset)
            if n <= 0 { return 0 }
            let offset = memoryOffset
            bytes.withUnsafeBufferPointer { all in
                if let start = all.baseAddress {
                    destination.update(from: start + offset, count: n)
                }
            }
            memoryOffset += n
            return n
        case .descriptor(let fd, _):
            while true {
                let n = read(fd, destination, maximum)
                if n >= 0 { return n }
                let code = errno
                if code == EINTR { continue }
                throw DataIOFailure.fromErrno("cannot read \(name)", code: code)
            }
        case .positional(let input, let next):
            let n = try input.read(into: destination, at: next, maximum: maximum)
            origin = .positional(input, next: next + n)
            return n
        }
    }
}

/// UTF-8 validation for the readers (well-formed per Unicode: no overlong
/// forms, no surrogates, nothing above U+10FFFF).
enum DataUTF8 {
    /// Offset of the first byte that does not start a well-formed sequence,
    /// or nil when all `count` bytes are valid UTF-8.
    static func firstInvalidByte(_ p: UnsafePointer<UInt8>, count: Int) -> Int? {
        var i = 0
        while i < count {
            // ASCII runs are the common case: skip eight bytes at a time.
            while i + 8 <= count {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            if i >= count { return nil }
            let b0 = p[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            if b0 < 0xC2 { return i }
            if b0 < 0xE0 {
                guard i + 1 < count, isContinuation(p[i + 1]) else { return i }
                i += 2
            } else if b0 < 0xF0 {
                guard i + 2 < count else { return i }
                let b1 = p[i + 1]
                let low: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
                let high: UInt8 = b0 == 0xED ? 0x9F : 0xBF
                guard b1 >= low, b1 <= high, isContinuation(p[i + 2]) else { return i }
                i += 3
            } else if b0 < 0xF5 {
                guard i + 3 < count else { return i }
                let b1 = p[i + 1]
                let low: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
                let high: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
                guard b1 >= low, b1 <= high, isContinuation(p[i + 2]), isContinuation(p[i + 3]) else { return i }
                i += 4
            } else {
                return i
            }
        }
        return nil
    }

    @inline(__always)
    static func isContinuation(_ b: UInt8) -> Bool {
        b & 0xC0 == 0x80
    }
}
