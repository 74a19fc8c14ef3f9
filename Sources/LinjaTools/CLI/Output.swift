import Foundation

/// Buffered output to a file descriptor, written in large blocks.
///
/// A write that fails ends the program (`Console.writeFailed`): with exit 2
/// and a message naming the output, or, for a pipe whose reader has gone
/// (EPIPE), quietly, as a closed pipe always ends a command-line program.
/// No command goes on computing what it can no longer write, and none
/// exits 0 after losing output.
public final class Output: @unchecked Sendable {
    public let fd: Int32
    /// What messages call this output: "standard output", "'report.html'".
    public let name: String
    var buffer: [UInt8] = []
    /// The buffer is written out when it holds this much; a block at least
    /// this large is written without it.
    static let blockSize = 1 << 16
    /// For tests of full disks (`LINJA_FAULT_WRITE_LIMIT`): the bytes this
    /// output may still write before its writes fail with ENOSPC.
    var faultBudget: Int?

    public init(fd: Int32, name: String = "the output") {
        self.fd = fd
        self.name = name
        buffer.reserveCapacity(Output.blockSize)
    }
    public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= Output.blockSize { flush() }
    }
    public func line(_ s: String = "") { write(s + "\n") }
    /// The most one `write` call is given: a chunk's output (3 MB of JSON
    /// Lines) goes out in pieces of 256 KB, as `cp` copies. On this
    /// project's machine the kernel's time to take the same 350 MB (a
    /// million clients, one thread) was 0.15–0.19 s in 256 KB writes and
    /// 0.5–1.5 s in whole-chunk writes, run after run; the page cache then
    /// seems to fill with smaller blocks of memory that are at hand.
    static let largestWrite = 1 << 18

    public func write(bytes: [UInt8]) {
        guard bytes.count >= Output.blockSize else {
            buffer.append(contentsOf: bytes)
            if buffer.count >= Output.blockSize { flush() }
            return
        }
        // A large block (a chunk's output) goes out as it is, not through
        // the buffer.
        flush()
        if let error = bytes.withUnsafeBytes({ writeAll($0) }) {
            Console.writeFailed(name, errno: error)
        }
    }

    /// Writes out the buffer; a failure ends the program.
    public func flush() {
        if let error = drain() {
            Console.writeFailed(name, errno: error)
        }
    }

    /// Writes out the buffer; the errno of a failure, or nil.
    func drain() -> Int32? {
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer.withUnsafeBytes { writeAll($0) }
    }

    /// Writes all of `bytes`; the errno of a failure, or nil.
    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            var count = min(bytes.count - offset, Output.largestWrite)
            if let budget = faultBudget {
                if budget == 0 { return ENOSPC }
                count = min(count, budget)
            }
            let n = Foundation.write(fd, base + offset, count)
            if n > 0 {
                offset += n
                if let budget = faultBudget { faultBudget = budget - n }
                continue
            }
            let error = n < 0 ? errno : EIO
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK {
                // A non-blocking descriptor: wait until it takes more.
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, -1)
                continue
            }
            return error
        }
        return nil
    }
    deinit { _ = drain() }
}

/// Exit codes scripts can trust.
public enum Exit {
    public static let ok: Int32 = 0
    /// The policy has errors, a test failed.
    public static let failure: Int32 = 1
    /// Usage or input error.
    public static let usage: Int32 = 2
}

/// Colour only on a terminal, and never with NO_COLOR set.
public func useColor(fd: Int32) -> Bool {
    let env = ProcessInfo.processInfo.environment
    if env["NO_COLOR"] != nil { return false }
    if env["TERM"] == "dumb" { return false }
    return isatty(fd) == 1
}

/// Standard output and error, buffered; the command-line programs are
/// single-threaded where they write.
public enum Console {
    public static let out = Output(fd: 1, name: "standard output")
    public static let err = Output(fd: 2, name: "standard error")

    /// The program and command messages are written for ("linja run"); the
    /// dispatcher sets it.
    nonisolated(unsafe) public static var command = "linja"

    /// Ends the program after a failed write to `name`: unfinished output
    /// files are removed (none is left looking complete), then a closed
    /// pipe ends it quietly, as the signal would have, and anything else
    /// with a message and exit 2.
    public static func writeFailed(_ name: String, errno error: Int32) -> Never {
        OutputFile.removeUnfinished()
        if error == EPIPE {
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
            _exit(128 + SIGPIPE)
        }
        if name != err.name {
            _ = err.drain()
            let message = "\(command): cannot write \(name): \(String(cString: strerror(error)))\n"
            _ = message.withCString { Foundation.write(2, $0, strlen($0)) }
        }
        exit(Exit.usage)
    }

    /// Refuses to run when standard output is one of `inputs` (`>> clients.csv`
    /// would read what it appends for ever): the same device and inode.
    public static func refuseOutput(onto inputs: [String]) throws {
        var st = stat()
        guard fstat(1, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return }
        if let input = inputs.first(where: { OutputFile.sameFile(st, $0) }) {
            throw InputError(message: "standard output is the input file '\(input)'; write the output to another file")
        }
    }
}
