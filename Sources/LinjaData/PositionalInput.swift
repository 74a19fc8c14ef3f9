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

/// Input that several readers can read at positions of their own: a regular
/// file (read with `pread(2)`, which threads may call at once), or a stream
/// such as standard input or a pipe, kept in memory in blocks while readers
/// may still need them.
///
/// `linja run` splits a file into byte ranges and reads each on its own
/// worker. A stream cannot seek, so its bytes are spooled as the readers ask
/// for them, and dropped once every reader is past them (`release(below:)`),
/// which keeps memory at the ranges being read, whatever the input's size.
/// Nothing is mapped: mapped pages would count as resident memory.
public final class PositionalInput: @unchecked Sendable {
    /// What to call the input in messages: `'x.csv'` or `standard input`.
    public let name: String
    /// The size of a regular file when opened; nil for a stream.
    public let size: Int?
    private let fd: Int32
    private let closeWhenDone: Bool
    private let spool: Spool?

    /// Opens `path` for reading; "-" is standard input.
    convenience init(path: String) throws(DataIOFailure) {
        if path == "-" {
            try self.init(fileDescriptor: 0, closeWhenDone: false, name: "standard input")
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw DataIOFailure.fromErrno("cannot open '\(path)'")
        }
        try self.init(fileDescriptor: fd, closeWhenDone: true, name: "'\(path)'")
    }

    /// Reads an open descriptor: positionally when it is a regular file,
    /// else as a stream.
    init(fileDescriptor: Int32, closeWhenDone: Bool, name: String) throws(DataIOFailure) {
        var info = stat()
        if fstat(fileDescriptor, &info) != 0 {
            let code = errno
            if closeWhenDone { _ = close(fileDescriptor) }
            throw DataIOFailure.fromErrno("cannot read \(name)", code: code)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            if closeWhenDone { _ = close(fileDescriptor) }
            throw DataIOFailure("cannot read \(name): \(DataIOFailure.describe(EISDIR))")
        }
        self.fd = fileDescriptor
        self.closeWhenDone = closeWhenDone
        self.name = name
        if (info.st_mode & S_IFMT) == S_IFREG {
            size = Int(info.st_size)
            spool = nil
        } else {
            size = nil
            spool = Spool()
        }
    }

    deinit {
        if closeWhenDone { _ = close(fd) }
    }

    /// Whether the input is a stream (read in order and spooled) rather than
    /// a file read at positions.
    public var isStream: Bool { spool != nil }

    /// Copies up to `maximum` bytes from `offset` into `destination`; fewer
    /// only at the end of the input (0 past it). A stream blocks until the
    /// bytes are there.
    func read(into destination: UnsafeMutablePointer<UInt8>, at offset: Int, maximum: Int) throws(DataIOFailure) -> Int {
        guard maximum > 0 else { return 0 }
        if let spool {
            return try spool.read(fd: fd, name: name, into: destination, at: offset, maximum: maximum)
        }
        var done = 0
        while done < maximum {
            let n = pread(fd, destination + done, maximum - done, off_t(offset + done))
            if n > 0 {
                done += n
                continue
            }
            if n == 0 { break }
            let code = errno
            if code == EINTR { continue }
            throw DataIOFailure.fromErrno("cannot read \(name)", code: code)
        }
        return done
    }

    /// Whether the input has a byte at `offset` (a stream reads up to it).
    public func hasByte(at offset: Int) -> Bool {
        if let size { return offset < size }
        var b: UInt8 = 0
        return ((try? read(into: &b, at: offset, maximum: 1)) ?? 0) == 1
    }

    /// Where the first line starting at or after `offset` starts: just
    /// after the first LF at or after `offset - 1`, or the end of the input
    /// when there is none. (A CR alone is a line end to the CSV reader, but
    /// ranges are only ever cut after an LF, never between CR and LF.)
    public func lineStart(atOrAfter offset: Int) -> Int {
        var at = max(0, offset - 1)
        if offset <= 0 { return 0 }
        let size = 64 * 1024
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { buffer.deallocate() }
        while true {
            let n = (try? read(into: buffer, at: at, maximum: size)) ?? 0
            if n == 0 { return at }
            if let found = memchr(buffer, Int32(UInt8(ascii: "\n")), n) {
                return at + UnsafeMutableRawPointer(buffer).distance(to: found) + 1
            }
            at += n
        }
    }

    /// Forgets spooled bytes before `offset`: no reader will ask for them
    /// again. Nothing to do for a file.
    public func release(below offset: Int) {
        spool?.release(below: offset)
    }

    /// A stream's bytes in fixed blocks, read on demand by whichever reader
    /// first needs them (one at a time) and kept until released.
    final class Spool: @unchecked Sendable {
        static let blockSize = 1 << 20

        /// Guards everything below.
        private let monitor = Monitor()
        /// Block `i` holds bytes `i * blockSize ..< (i + 1) * blockSize`;
        /// released blocks are nil.
        private var blocks: [UnsafeMutablePointer<UInt8>?] = []
        /// Bytes read from the stream so far.
        private var filled = 0
        private var atEnd = false
        private var failure: DataIOFailure?
        /// A reader is in `read(2)` (without the lock).
        private var reading = false
        private var releasedBelow = 0

        deinit {
            for case let b? in blocks { b.deallocate() }
        }

        func read(fd: Int32, name: String, into destination: UnsafeMutablePointer<UInt8>, at offset: Int,
                  maximum: Int) throws(DataIOFailure) -> Int {
            monitor.lock()
            defer { monitor.unlock() }
            while true {
                if offset < filled {
                    var copied = 0
                    var at = offset
                    let end = min(filled, offset + maximum)
                    while at < end {
                        let block = at / Spool.blockSize
                        let within = at % Spool.blockSize
                        let n = min(end - at, Spool.blockSize - within)
                        if let b = blocks[block] {
                            (destination + copied).update(from: b + within, count: n)
                        } else {
                            // Released: nobody should ask for these again.
                            (destination + copied).update(repeating: 0, count: n)
                        }
                        copied += n
                        at += n
                    }
                    return copied
                }
                if let failure { throw failure }
                if atEnd { return 0 }
                if reading {
                    monitor.wait()
                    continue
                }
                // Read one more piece, without the lock.
                reading = true
                let block = filled / Spool.blockSize
                while blocks.count <= block { blocks.append(nil) }
                let buffer: UnsafeMutablePointer<UInt8>
                if let b = blocks[block] {
                    buffer = b
                } else {
                    buffer = .allocate(capacity: Spool.blockSize)
                    blocks[block] = buffer
                }
                let within = filled % Spool.blockSize
                monitor.unlock()
                var n = 0
                var error: DataIOFailure?
                while true {
                    n = systemRead(fd, buffer + within, Spool.blockSize - within)
                    if n >= 0 { break }
                    let code = errno
                    if code == EINTR { continue }
                    error = DataIOFailure.fromErrno("cannot read \(name)", code: code)
                    n = 0
                    break
                }
                monitor.lock()
                reading = false
                if let error { failure = error } else if n == 0 { atEnd = true } else { filled += n }
                monitor.broadcast()
            }
        }

        func release(below offset: Int) {
            monitor.lock()
            defer { monitor.unlock() }
            guard offset > releasedBelow else { return }
            releasedBelow = offset
            let whole = min(offset, filled) / Spool.blockSize
            var i = 0
            while i < whole && i < blocks.count {
                if let b = blocks[i] {
                    b.deallocate()
                    blocks[i] = nil
                }
                i += 1
            }
        }
    }
}

/// A plain `pthread` mutex, which can also be tried without waiting.
public class Lock: @unchecked Sendable {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() {
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public final func lock() { pthread_mutex_lock(mutex) }
    public final func unlock() { pthread_mutex_unlock(mutex) }
    /// Locks if nobody holds the lock, without waiting: whether it did.
    public final func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }

    @inline(__always)
    public final func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A lock with a condition: the classic monitor. `wait()` is called with
/// the lock held and returns with it held.
public final class Monitor: Lock, @unchecked Sendable {
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public override init() {
        cond.initialize(to: pthread_cond_t())
        pthread_cond_init(cond, nil)
        super.init()
    }

    deinit {
        pthread_cond_destroy(cond)
        cond.deallocate()
    }

    /// Sleeps until a broadcast (or a spurious wake-up): re-check after.
    public func wait() { pthread_cond_wait(cond, mutex) }
    /// Wakes every waiter; call with the lock held.
    public func broadcast() { pthread_cond_broadcast(cond) }
}

/// `read(2)`, named apart from the methods called `read`.
@inline(__always)
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
