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
