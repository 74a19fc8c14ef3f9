import Foundation

/// Reads Language Server Protocol messages from a file descriptor: a header
/// (`Content-Length: N`, optional `Content-Type`, lines ending in `\r\n`),
/// a blank line, then N bytes of JSON.
///
/// A malformed header is reported as `.malformed` and the reader
/// resynchronises at the next `Content-Length:`, so one bad message never
/// ends the session.
public final class MessageReader {
    public enum Item: Equatable {
        /// A message body (not yet parsed as JSON).
        case message(Data)
        /// A header that could not be read; the reason, for the error response.
        case malformed(String)
        case endOfInput
    }

    let fd: Int32
    var buffer: [UInt8] = []
    var start = 0
    var atEnd = false
    /// The most a body may claim (64 MiB): a larger length is a malformed header.
    static let largestBody = 64 << 20

    public init(fd: Int32) {
        self.fd = fd
    }

    /// Whether a whole message (or a malformed header) is already buffered,
    /// so that reading it will not block.
    public var hasBufferedItem: Bool {
        switch parseHeader() {
        case .incomplete: return false
        case .bad: return true
        case .ok(let headerEnd, let length): return buffer.count - headerEnd >= length
        }
    }

    /// Whether bytes are waiting on the descriptor (a zero-timeout poll).
    public var inputWaiting: Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }

    /// The next item, blocking until one is complete or the input ends.
    public func next() -> Item {
        next(timeoutMilliseconds: -1) ?? .endOfInput
    }

    /// The next item, or nil when none is complete within the timeout
    /// (a negative timeout waits for ever).
    public func next(timeoutMilliseconds: Int) -> Item? {
        let deadline = ContinuousClock.now + .milliseconds(max(timeoutMilliseconds, 0))
        while true {
            switch parseHeader() {
            case .ok(let headerEnd, let length):
                if buffer.count - headerEnd >= length {
                    let body = Data(buffer[headerEnd..<(headerEnd + length)])
                    consume(upTo: headerEnd + length)
                    return .message(body)
                }
            case .bad(let reason, let skipTo):
                consume(upTo: skipTo)
                return .malformed(reason)
            case .incomplete:
                break
            }
            if atEnd {
                if start < buffer.count {
                    // Bytes that never became a whole message.
                    consume(upTo: buffer.count)
                    return .malformed("the input ended inside a message")
                }
                return .endOfInput
            }
            if timeoutMilliseconds >= 0 {
                let left = deadline - ContinuousClock.now
                let ms = Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
                if ms <= 0 { return nil }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let r = poll(&p, 1, Int32(min(ms, 60_000)))
                if r == 0 { continue }
            }
            fill()
        }
    }

    enum Header {
        case ok(bodyStart: Int, length: Int)
        case bad(String, skipTo: Int)
        case incomplete
    }

    /// Reads the header at `start`, if it is all buffered.
    func parseHeader() -> Header {
        // Skip blank lines between messages (some clients send them).
        var s = start
        while s < buffer.count, buffer[s] == 0x0D || buffer[s] == 0x0A { s += 1 }
        guard let end = find([0x0D, 0x0A, 0x0D, 0x0A], from: s) else {
            if buffer.count - s > 8192 {
                return .bad("a message header longer than 8 KiB", skipTo: resync(from: s + 1))
            }
            return .incomplete
        }
        let text = String(decoding: buffer[s..<end], as: UTF8.self)
        var length: Int?
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            guard let colon = line.firstIndex(of: ":") else {
                return .bad("a header line without a colon: \(line.prefix(60))", skipTo: resync(from: s + 1))
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                guard let n = Int(value), n >= 0, n <= Self.largestBody else {
                    return .bad("Content-Length is not a length: \(value.prefix(40))", skipTo: resync(from: s + 1))
                }
                length = n
            }
        }
        guard let n = length else {
            // Junk before a real header (`}Content-Length: …`) loses only the junk.
            let next = find(Array("Content-Length:".utf8), from: s + 1) ?? end + 4
            return .bad("a message header without Content-Length", skipTo: min(next, end + 4))
        }
        return .ok(bodyStart: end + 4, length: n)
    }

    /// The next `Content-Length` at or after `from`, or the buffer's end.
    func resync(from: Int) -> Int {
        let needle = Array("Content-Length:".utf8)
        return find(needle, from: from) ?? max(from, buffer.count - needle.count)
    }

    func find(_ needle: [UInt8], from: Int) -> Int? {
        guard needle.count > 0, buffer.count >= needle.count, from <= buffer.count - needle.count else { return nil }
        var i = from
        let last = buffer.count - needle.count
        while i <= last {
            if buffer[i] == needle[0] {
                var k = 1
                while k < needle.count, buffer[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    func consume(upTo index: Int) {
        start = min(max(index, start), buffer.count)
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 16 {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// Where `read` puts bytes, kept between reads.
    var chunk = [UInt8](repeating: 0, count: 1 << 16)

    func fill() {
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return
            }
            if n < 0, errno == EINTR { continue }
            atEnd = true
            return
        }
    }
}

/// Writes framed messages to a file descriptor, each flushed at once:
/// nothing else is ever written there.
public final class MessageWriter: @unchecked Sendable {
    let fd: Int32
    let lock = NSLock()

    public init(fd: Int32) {
        self.fd = fd
    }

    public func send(_ message: JSONValue) {
        let body = message.serialized()
        var bytes = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        bytes.append(contentsOf: body)
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { p -> Int in
                guard let base = p.baseAddress else { return -1 }
                return write(fd, base + offset, bytes.count - offset)
            }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
    }
}
