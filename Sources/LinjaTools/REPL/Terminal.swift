// Terminal I/O for the REPL: raw mode, reading keys, drawing the line.
//
// `LineReader` is the front end: it runs a `LineEditor` on a real terminal,
// and when input is not a terminal it reads plain lines with no prompt and
// no escape codes, so piped scripts behave like files.

import Foundation
import Glibc
import Synchronization

/// Result of reading one line.
public enum LineReadResult: Equatable, Sendable {
    /// A finished line, without its line terminator.
    case line(String)
    /// Ctrl-C: the line was abandoned; prompt again (and drop any open block).
    case cancelled
    /// Ctrl-D on an empty line, or the input ended.
    case endOfInput
}

/// Reads lines from the user with editing, history and completion when
/// stdin and stdout are a terminal, and plain lines otherwise.
///
/// Not thread-safe: use one reader from one thread, and do not read stdin
/// by other means while using it (it buffers input it has read ahead).
public final class LineReader {
    /// How lines are read, decided once from the file descriptors and TERM.
    public enum Mode: Equatable, Sendable {
        /// Raw mode with editing, history and completion.
        case interactive
        /// A terminal that cannot take escape codes (TERM=dumb): the prompt is
        /// printed and the terminal's own line editing is used (so Ctrl-C is
        /// the terminal's interrupt signal there).
        case basic
        /// Input is not a terminal: no prompt, no escape codes.
        case plain
    }

    /// Prompt for a new statement.
    public var prompt: String
    /// Prompt for a line that continues an open block.
    public var continuationPrompt: String
    /// Lines recalled with Up/Down; accepted terminal lines are added to it.
    public var history: History
    /// Called on Tab; see `LineEditor.Completion`.
    public var completion: LineEditor.Completion?
    /// The latest failure to write the history file, for the REPL to report.
    public private(set) var historyError: (any Error)?
    /// Chosen at creation from what stdin and stdout are.
    public let mode: Mode

    private let terminal: Terminal
    private var decoder = KeyDecoder()
    /// Keys decoded but not yet used: a paste may hold several lines.
    private var queuedKeys: [Key] = []
    private var queueHead = 0
    /// Bytes read ahead in plain and basic mode.
    private var plainBuffer: [UInt8] = []

    /// Milliseconds to wait for the rest of an escape sequence before taking
    /// ESC as a key on its own.
    static let escapeTimeoutMilliseconds: Int32 = 100

    /// - Parameters:
    ///   - prompt: shown before a new statement. A single line; ANSI colour
    ///     codes are allowed and take no width.
    ///   - continuationPrompt: shown by `readLine(continuation: true)`.
    ///   - history: history to recall and extend (load it first).
    ///   - completion: candidates for Tab.
    ///   - input, output: file descriptors, normally stdin and stdout.
    ///   - environment: consulted for TERM.
    public init(
        prompt: String = "linja> ",
        continuationPrompt: String = "...> ",
        history: History = History(),
        completion: LineEditor.Completion? = nil,
        input: Int32 = STDIN_FILENO,
        output: Int32 = STDOUT_FILENO,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.prompt = prompt
        self.continuationPrompt = continuationPrompt
        self.history = history
        self.completion = completion
        terminal = Terminal(input: input, output: output)
        if !Terminal.isTerminal(input) || !Terminal.isTerminal(output) {
            mode = .plain
        } else if let term = environment["TERM"], Self.unsupportedTerminals.contains(term) {
            mode = .basic
        } else {
            mode = .interactive
        }
    }

    private static let unsupportedTerminals: Set<String> = ["dumb", "cons25", "emacs"]

    /// Reads one line.
    ///
    /// Shows `prompt` if given, else `continuationPrompt` when `continuation`
    /// is true (the caller has an open block), else the normal prompt. In
    /// interactive mode the cursor is at the start of a fresh line when this
    /// returns, whatever the result. Lines read from a terminal are added to
    /// `history`; lines read from a pipe are not. The prompt is drawn from
    /// the start of the row, so end earlier output with a newline.
    public func readLine(prompt: String? = nil, continuation: Bool = false) -> LineReadResult {
        let shown = prompt ?? (continuation ? continuationPrompt : self.prompt)
        switch mode {
        case .interactive:
            return readInteractively(prompt: shown)
        case .basic:
            terminal.write(shown)
            return recordingHistory(readPlainLine())
        case .plain:
            return readPlainLine()
        }
    }

    private func recordingHistory(_ result: LineReadResult) -> LineReadResult {
        if case .line(let line) = result {
            do {
                try history.add(line)
            } catch {
                historyError = error
            }
        }
        return result
    }

    // MARK: - Plain lines

    private func readPlainLine() -> LineReadResult {
        while true {
            if let newline = plainBuffer.firstIndex(of: 0x0A) {
                var line = plainBuffer[..<newline]
                if line.last == 0x0D { line = line.dropLast() }
                let text = String(decoding: line, as: UTF8.self)
                plainBuffer.removeSubrange(...newline)
                return .line(text)
            }
            switch terminal.readBytes(timeoutMilliseconds: -1) {
            case .bytes(let bytes):
                plainBuffer.append(contentsOf: bytes)
            case .interrupted, .timedOut:
                continue
            case .closed:
                // A last line without a newline still counts.
                guard !plainBuffer.isEmpty else { return .endOfInput }
                let text = String(decoding: plainBuffer, as: UTF8.self)
                plainBuffer.removeAll()
                return .line(text)
            }
        }
    }

    // MARK: - Interactive editing

    private enum Event {
        case key(Key)
        case redraw
        case closed
    }

    /// What is on screen, so that typing at the end can print just the new
    /// characters instead of redrawing the line.
    private struct Screen {
        var characters: [Character]
        var cursor: Int
        /// Whole line visible and the cursor after it.
        var cursorAtEndOfVisibleLine: Bool
    }

    private func readInteractively(prompt: String) -> LineReadResult {
        do {
            try terminal.enableRawMode()
        } catch {
            terminal.write(prompt)
            return recordingHistory(readPlainLine())
        }
        defer { terminal.disableRawMode() }

        var editor = LineEditor(history: history.entries, completion: completion)
        var screen: Screen?
        while true {
            if !hasQueuedKeys { draw(editor, prompt: prompt, screen: &screen) }
            switch nextEvent() {
            case .closed:
                drawFinal(editor, prompt: prompt)
                terminal.write("\r\n")
                return .endOfInput
            case .redraw:
                screen = nil
            case .key(.control("z")):
                terminal.write("\r\n")
                terminal.suspend()
                screen = nil
            case .key(let key):
                switch editor.handle(key) {
                case .continue:
                    break
                case .accept(let line):
                    drawFinal(editor, prompt: prompt)
                    terminal.write("\r\n")
                    return recordingHistory(.line(line))
                case .cancel:
                    drawFinal(editor, prompt: prompt)
                    terminal.write("^C\r\n")
                    return .cancelled
                case .endOfInput:
                    drawFinal(editor, prompt: prompt)
                    terminal.write("\r\n")
                    return .endOfInput
                case .showCompletions(let candidates):
                    draw(editor, prompt: prompt, screen: &screen)
                    let listing = LineRenderer.completionList(candidates, columns: terminal.columns)
                    terminal.write("\r\n" + listing + "\r\n")
                    screen = nil
                case .clearScreen:
                    terminal.write("\u{1B}[H\u{1B}[2J")
                    screen = nil
                }
            }
        }
    }

    private var hasQueuedKeys: Bool { queueHead < queuedKeys.count }

    private func nextEvent() -> Event {
        while true {
            if queueHead < queuedKeys.count {
                let key = queuedKeys[queueHead]
                queueHead += 1
                if queueHead == queuedKeys.count {
                    queuedKeys.removeAll(keepingCapacity: true)
                    queueHead = 0
                }
                return .key(key)
            }
            if Terminal.takeRedrawRequest() { return .redraw }
            let timeout = decoder.isAwaitingEscapeSequence ? Self.escapeTimeoutMilliseconds : -1
            switch terminal.readBytes(timeoutMilliseconds: timeout) {
            case .bytes(let bytes):
                queuedKeys.append(contentsOf: decoder.decode(bytes))
            case .timedOut:
                queuedKeys.append(contentsOf: decoder.flush())
            case .interrupted:
                continue
            case .closed:
                return .closed
            }
        }
    }

    /// Brings the screen up to date with the editor, as cheaply as possible.
    private func draw(_ editor: LineEditor, prompt: String, screen: inout Screen?) {
        let characters = editor.characters
        let cursor = editor.cursor
        if let last = screen, last.characters == characters, last.cursor == cursor { return }
        let columns = terminal.columns
        let fits = LineRenderer.fits(prompt: prompt, characters: characters, columns: columns)
        let atEnd = cursor == characters.count
        if let last = screen, last.cursorAtEndOfVisibleLine, atEnd, fits,
            characters.count > last.characters.count, characters.starts(with: last.characters)
        {
            // Typing at the end: print only the new characters.
            terminal.write(String(characters[last.characters.count...]))
        } else {
            terminal.write(LineRenderer.refresh(prompt: prompt, characters: characters, cursor: cursor, columns: columns))
        }
        screen = Screen(characters: characters, cursor: cursor, cursorAtEndOfVisibleLine: atEnd && fits)
    }

    /// Redraws the whole line with the cursor at its end, so the finished
    /// line is left on screen in full before the newline.
    private func drawFinal(_ editor: LineEditor, prompt: String) {
        let characters = editor.characters
        terminal.write(
            LineRenderer.refresh(prompt: prompt, characters: characters, cursor: characters.count, columns: terminal.columns))
    }
}

// MARK: - Rendering

/// Escape sequences that draw the prompt and line; pure, so it can be tested.
///
/// The line is drawn on one terminal row. A line too long for the row
/// scrolls sideways to keep the cursor visible; the last column is kept
/// free so the terminal never wraps.
enum LineRenderer {
    static let clearToEndOfLine = "\u{1B}[0K"

    /// Whether prompt and line fit on one row without scrolling.
    static func fits(prompt: String, characters: [Character], columns: Int) -> Bool {
        let promptWidth = DisplayWidth.columns(ofPrompt: prompt)
        let usable = max(columns, 2) - 1
        return promptWidth < usable && promptWidth + DisplayWidth.columns(of: String(characters)) <= usable
    }

    /// Carriage return, prompt, the visible part of the line, clear to end
    /// of line, then the cursor moved to its column.
    static func refresh(prompt: String, characters: [Character], cursor: Int, columns: Int) -> String {
        let usable = max(columns, 2) - 1
        var shownPrompt = prompt
        var promptWidth = DisplayWidth.columns(ofPrompt: prompt)
        if promptWidth >= usable {
            // A prompt wider than the terminal leaves no room: drop it.
            shownPrompt = ""
            promptWidth = 0
        }
        let room = usable - promptWidth
        let cursor = min(max(cursor, 0), characters.count)
        let widths = characters.map { DisplayWidth.columns(of: $0) }

        // First visible character: as early as possible with the cursor in view.
        var start = 0
        var widthToCursor = widths[..<cursor].reduce(0, +)
        while widthToCursor > room, start < cursor {
            widthToCursor -= widths[start]
            start += 1
        }
        var end = start
        var shownWidth = 0
        while end < characters.count, shownWidth + widths[end] <= room {
            shownWidth += widths[end]
            end += 1
        }

        var output = "\r" + shownPrompt + String(characters[start..<end]) + clearToEndOfLine + "\r"
        let column = promptWidth + widthToCursor
        if column > 0 { output += "\u{1B}[\(column)C" }
        return output
    }

    /// Candidates in columns, down then across like `ls`, rows joined by
    /// CR LF (raw mode does not turn LF into CR LF).
    static func completionList(_ candidates: [String], columns: Int, limit: Int = 200) -> String {
        let shown = candidates.prefix(limit).map(printable)
        guard !shown.isEmpty else { return "" }
        let widths = shown.map { DisplayWidth.columns(of: $0) }
        let cellWidth = (widths.max() ?? 0) + 2
        let perRow = max(1, max(columns, 1) / max(cellWidth, 1))
        let rows = (shown.count + perRow - 1) / perRow
        var lines: [String] = []
        for row in 0..<rows {
            var line = ""
            var index = row
            while index < shown.count {
                let isLastInRow = index + rows >= shown.count
                line += shown[index]
                if !isLastInRow { line += String(repeating: " ", count: cellWidth - widths[index]) }
                index += rows
            }
            lines.append(line)
        }
        if candidates.count > limit { lines.append("(\(candidates.count - limit) more)") }
        return lines.joined(separator: "\r\n")
    }

    /// Control characters in a candidate would move the cursor; drop them.
    private static func printable(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.filter { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) })
        return String(scalars)
    }
}

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

// MARK: - Signal-safe restore

/// The one place a signal handler can find the terminal mode to restore.
///
/// Lives for the whole process (a `let` global). The termios records and
/// previous signal actions are written only by the thread that switches
/// raw mode, before the descriptor is published through the atomic, and
/// are only read by the handlers afterwards: hence `@unchecked Sendable`.
final class RawModeRegistry: @unchecked Sendable {
    static let shared = RawModeRegistry()

    /// Descriptor in raw mode, or -1.
    let activeDescriptor = Atomic<Int32>(-1)
    let redrawRequested = Atomic<Bool>(false)
    /// Bit n set: our handler is installed for signal n.
    let installedSignals = Atomic<UInt64>(0)
    private let exitHandlerRegistered = Atomic<Bool>(false)

    let original = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    let raw = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    /// Previous action per signal number.
    let previousActions = UnsafeMutablePointer<sigaction>.allocate(capacity: 64)

    /// Signals whose default action ends or stops the process with the
    /// terminal still raw. Taken over only while they have that default
    /// action: a program with its own handler (say, SIGINT to interrupt an
    /// evaluation) keeps it.
    static let defaultActionSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP]
    /// Crashes: the terminal is restored and the previous handler (such as
    /// Swift's backtracer) runs when the faulting instruction repeats.
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT]
    /// Signals that only ask for a redraw (and re-entering raw mode).
    static let redrawSignals: [Int32] = [SIGWINCH, SIGCONT]

    private init() {
        original.initialize(to: termios())
        raw.initialize(to: termios())
        previousActions.initialize(repeating: sigaction(), count: 64)
    }

    func activate(descriptor: Int32, original: termios, raw: termios) {
        self.original.pointee = original
        self.raw.pointee = raw
        if !exitHandlerRegistered.exchange(true, ordering: .acquiringAndReleasing) {
            atexit { RawModeRegistry.shared.restoreFromSignalOrExit() }
        }
        activeDescriptor.store(descriptor, ordering: .releasing)
        for signal in Self.defaultActionSignals { install(signal, onlyOverDefaultAction: true) }
        for signal in Self.crashSignals + Self.redrawSignals { install(signal, onlyOverDefaultAction: false) }
    }

    func deactivate() {
        let installed = installedSignals.exchange(0, ordering: .acquiringAndReleasing)
        for signal in Int32(1)..<64 where installed & (1 << UInt64(signal)) != 0 {
            sigaction(signal, previousActions + Int(signal), nil)
        }
        let descriptor = activeDescriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { tcsetattr(descriptor, TCSADRAIN, original) }
    }

    /// Installs our handler, keeping the previous action to chain to.
    /// With `onlyOverDefaultAction`, an ignored signal (SIGHUP under nohup,
    /// SIGTSTP without job control) or one the program handles is left alone.
    private func install(_ signal: Int32, onlyOverDefaultAction: Bool) {
        guard signal > 0, signal < 64 else { return }
        var previous = sigaction()
        guard sigaction(signal, nil, &previous) == 0 else { return }
        let handler = unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self)
        let isDefault = handler == 0 && previous.sa_flags & SA_SIGINFO == 0
        if onlyOverDefaultAction && !isDefault { return }
        previousActions[Int(signal)] = previous
        var action = sigaction()
        action.__sigaction_handler.sa_handler = terminalSignalHandler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a resize must wake the blocked read
        if sigaction(signal, &action, nil) == 0 {
            installedSignals.bitwiseOr(1 << UInt64(signal), ordering: .acquiringAndReleasing)
        }
    }

    /// Async-signal-safe: only atomics, tcsetattr, sigaction and raise.
    fileprivate func handle(_ signal: Int32) {
        let descriptor = activeDescriptor.load(ordering: .acquiring)
        switch signal {
        case SIGWINCH:
            redrawRequested.store(true, ordering: .releasing)
        case SIGCONT:
            // Back from a stop: the shell may have reset the mode.
            if descriptor >= 0 {
                tcsetattr(descriptor, TCSADRAIN, raw)
                reinstallAfterStop()
            }
            redrawRequested.store(true, ordering: .releasing)
        case SIGTSTP:
            if descriptor >= 0 { tcsetattr(descriptor, TCSADRAIN, original) }
            // Stop with the previous (normally default) action; SIGCONT puts
            // our handler back.
            sigaction(SIGTSTP, previousActions + Int(SIGTSTP), nil)
            raise(SIGTSTP)
        case SIGSEGV, SIGBUS, SIGILL, SIGFPE:
            // Returning repeats the fault, now with the previous action.
            restoreFromSignalOrExit()
            sigaction(signal, previousActions + Int(signal), nil)
        default:
            restoreFromSignalOrExit()
            sigaction(signal, previousActions + Int(signal), nil)
            raise(signal)
        }
    }

    private func reinstallAfterStop() {
        guard installedSignals.load(ordering: .acquiring) & (1 << UInt64(SIGTSTP)) != 0 else { return }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = terminalSignalHandler
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGTSTP, &action, nil)
    }

    fileprivate func restoreFromSignalOrExit() {
        let descriptor = activeDescriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { tcsetattr(descriptor, TCSADRAIN, original) }
    }
}

/// `write(2)`, reachable from inside `Terminal`, whose own `write` hides it.
private func writeToDescriptor(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

/// C-compatible handler; forwards to the registry.
private func terminalSignalHandler(_ signal: Int32) {
    RawModeRegistry.shared.handle(signal)
}
