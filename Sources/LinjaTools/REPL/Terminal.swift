// The terminal itself: raw mode, key input, output.

import Foundation
import Glibc
import Synchronization

// MARK: - Terminal

/// A terminal on a pair of file descriptors: raw mode, reading, writing.
///
/// Raw mode is undone by `disableRawMode()`, at exit, and by handlers
/// installed while it is on for signals that would otherwise leave the
/// terminal unusable: termination signals and stops with their default
/// action, and crashes (then chaining to the previous handler).
public final class Terminal {
    /// Descriptor keys are read from.
    public let input: Int32
    /// Descriptor the line is drawn on.
    public let output: Int32
    private var isRaw = false

    /// Wraps the descriptors; nothing changes until raw mode is enabled.
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.input = input
        self.output = output
    }

    /// Whether `descriptor` is a terminal (`isatty`).
    public static func isTerminal(_ descriptor: Int32) -> Bool {
        isatty(descriptor) == 1
    }

    /// Width of the output terminal in columns (80 if unknown).
    public var columns: Int {
        var size = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    // MARK: Raw mode

    struct RawModeError: Error {
        let errno: Int32
    }

    /// Switches input to raw mode: bytes arrive one by one, unechoed, and
    /// Ctrl-C/Ctrl-Z/Ctrl-D arrive as bytes instead of signals or EOF.
    func enableRawMode() throws {
        guard !isRaw else { return }
        var original = termios()
        guard tcgetattr(input, &original) == 0 else { throw RawModeError(errno: errno) }
        var raw = original
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { bytes in
            bytes[Int(VMIN)] = 1
            bytes[Int(VTIME)] = 0
        }
        RawModeRegistry.shared.activate(descriptor: input, original: original, raw: raw)
        // TCSADRAIN, not TCSAFLUSH: keys typed ahead must not be lost.
        guard tcsetattr(input, TCSADRAIN, &raw) == 0 else {
            let error = errno
            RawModeRegistry.shared.deactivate()
            throw RawModeError(errno: error)
        }
        isRaw = true
    }

    /// Restores the mode saved by `enableRawMode()`.
    func disableRawMode() {
        guard isRaw else { return }
        isRaw = false
        RawModeRegistry.shared.deactivate()
    }

    /// Stops the process group as Ctrl-Z would, in normal mode, and returns
    /// to raw mode once continued.
    func suspend() {
        guard isRaw else { return }
        disableRawMode()
        kill(0, SIGTSTP)
        try? enableRawMode()
    }

    /// True once after a resize or a continue from a stop: redraw the line.
    static func takeRedrawRequest() -> Bool {
        RawModeRegistry.shared.redrawRequested.exchange(false, ordering: .acquiringAndReleasing)
    }

    // MARK: I/O

    enum ReadOutcome: Equatable {
        case bytes([UInt8])
        case timedOut
        /// A signal interrupted the wait; check for redraw and try again.
        case interrupted
        /// End of file, hang-up or a read error.
        case closed
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and reads what is there.
    func readBytes(timeoutMilliseconds: Int32) -> ReadOutcome {
        var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 { return errno == EINTR || errno == EAGAIN ? .interrupted : .closed }
        if ready == 0 { return .timedOut }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if count > 0 { return .bytes(Array(buffer[..<count])) }
        if count < 0, errno == EINTR || errno == EAGAIN { return .interrupted }
        return .closed
    }

    /// Writes all of `text`, retrying after interruptions.
    func write(_ text: String) {
        // Output buffered by print() must come out before ours.
        fflush(nil)
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { writeToDescriptor(output, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                return
            }
        }
    }
}
