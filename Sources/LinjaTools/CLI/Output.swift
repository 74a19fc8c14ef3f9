import Foundation

/// Buffered output to a file descriptor, written in large blocks.
public final class Output: @unchecked Sendable {
    public let fd: Int32
    var buffer: [UInt8] = []
    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }
    public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }
    public func line(_ s: String = "") { write(s + "\n") }
    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }
    public func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { p in Foundation.write(fd, p.baseAddress! + offset, buffer.count - offset) }
            if n <= 0 { break }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
    deinit { flush() }
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
    public static let out = Output(fd: 1)
    public static let err = Output(fd: 2)
}
