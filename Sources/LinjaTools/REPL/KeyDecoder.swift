// Turns the raw bytes a terminal sends into keys for the line editor.
//
// Terminals deliver text as UTF-8 and special keys as escape sequences
// (ESC [ …, ESC O …), and a single read(2) may end in the middle of either.
// The decoder therefore keeps the unfinished tail between calls.

/// A key press, as far as the line editor cares.
///
/// Keys are named by what the user pressed, not by what they do: the
/// `LineEditor` decides that `control("a")` and `home` both go to the start.
public enum Key: Hashable, Sendable {
    /// Printable text: one Unicode scalar as typed (a combining mark typed
    /// after its base letter arrives as its own key and joins the letter).
    case character(Character)
    /// Control plus a letter or one of `@ [ \ ] ^ _`, named by the lowercase
    /// letter or symbol: Ctrl-A is `control("a")`. Tab, Enter, Backspace and
    /// Escape have their own cases.
    case control(Character)
    /// Alt (Meta) plus a printable ASCII character, sent as ESC + character.
    case meta(Character)
    /// Alt-Backspace (ESC DEL or ESC BS).
    case metaBackspace
    /// Return (CR), or LF; a CR LF pair from a paste is one Enter.
    case enter
    /// Tab (Ctrl-I).
    case tab
    /// Backspace, whether the terminal sends DEL or BS (Ctrl-H).
    case backspace
    /// The Delete key (ESC [ 3 ~).
    case delete
    /// Escape pressed on its own (reported once no sequence follows).
    case escape
    /// Left arrow.
    case left
    /// Right arrow.
    case right
    /// Up arrow.
    case up
    /// Down arrow.
    case down
    /// Home, in any of the forms terminals send.
    case home
    /// End, in any of the forms terminals send.
    case end
    /// Ctrl- or Alt-Left.
    case wordLeft
    /// Ctrl- or Alt-Right.
    case wordRight
}

/// Incremental decoder from terminal input bytes to `Key`s.
///
/// Feed it whatever `read(2)` returned; it returns the keys that are complete
/// and keeps a partial UTF-8 character or escape sequence for the next call.
/// Unknown escape sequences and invalid UTF-8 are dropped, so they never end
/// up as text in the line.
public struct KeyDecoder: Sendable {
    /// Longest escape sequence we wait for; anything longer is noise.
    static let maximumSequenceLength = 32

    private var pending: [UInt8] = []
    /// Set after a CR so that the LF of a pasted CR LF is not a second Enter.
    private var swallowLineFeed = false
    /// Set when a sequence grew too long: its remaining parameter bytes and
    /// final byte are skipped rather than typed.
    private var skippingSequence = false

    /// A decoder with nothing held.
    public init() {}

    /// Whether bytes of an unfinished character or sequence are being held.
    public var hasPendingInput: Bool { !pending.isEmpty }

    /// Whether the held bytes start with ESC: the caller should wait only
    /// briefly for the rest and then call `flush()`, because a lone Escape
    /// key press looks exactly like the start of a sequence.
    public var isAwaitingEscapeSequence: Bool { pending.first == 0x1B }

    /// Decodes `bytes` appended to whatever was held from earlier calls.
    public mutating func decode(_ bytes: some Sequence<UInt8>) -> [Key] {
        pending.append(contentsOf: bytes)
        return process(atEndOfInput: false)
    }

    /// Resolves held bytes as if no more input will follow them: a lone ESC
    /// becomes `.escape`, ESC [ and ESC O become Alt keys, and any other
    /// unfinished sequence or character is dropped.
    public mutating func flush() -> [Key] {
        let keys = process(atEndOfInput: true)
        skippingSequence = false
        return keys
    }

    // MARK: - Decoding

    private enum Step {
        /// `consumed` bytes form zero or more keys.
        case keys([Key], consumed: Int)
        /// More bytes are needed to decide.
        case incomplete
    }

    private mutating func process(atEndOfInput: Bool) -> [Key] {
        var keys: [Key] = []
        var index = 0
        while index < pending.count {
            switch step(at: index) {
            case .keys(let decoded, let consumed):
                keys.append(contentsOf: decoded)
                index += max(consumed, 1)
            case .incomplete:
                if atEndOfInput {
                    keys.append(contentsOf: resolveTail(from: index))
                    index = pending.count
                } else {
                    pending.removeFirst(index)
                    return keys
                }
            }
        }
        pending.removeAll(keepingCapacity: true)
        return keys
    }

    /// What an unfinished tail means once nothing more will arrive.
    private func resolveTail(from index: Int) -> [Key] {
        let tail = pending[index...]
        guard tail.first == 0x1B else { return [] }  // partial UTF-8: drop
        if tail.count == 1 { return [.escape] }
        if tail.count == 2, let second = tail.last, second == 0x5B || second == 0x4F {
            return [.meta(Character(Unicode.Scalar(second)))]
        }
        return []
    }

    private mutating func step(at index: Int) -> Step {
        let byte = pending[index]
        let afterCarriageReturn = swallowLineFeed
        swallowLineFeed = false
        if skippingSequence {
            switch byte {
            case 0x20...0x3F:
                return .keys([], consumed: 1)
            case 0x40...0x7E:
                skippingSequence = false
                return .keys([], consumed: 1)
            default:
                skippingSequence = false
            }
        }
        switch byte {
        case 0x0D:
            swallowLineFeed = true
            return .keys([.enter], consumed: 1)
        case 0x0A:
            return .keys(afterCarriageReturn ? [] : [.enter], consumed: 1)
        case 0x09:
            return .keys([.tab], consumed: 1)
        case 0x08, 0x7F:
            return .keys([.backspace], consumed: 1)
        case 0x1B:
            return escape(at: index)
        case 0x00...0x1F:
            return .keys([.control(Self.controlName(byte))], consumed: 1)
        case 0x20...0x7E:
            return .keys([.character(Character(Unicode.Scalar(byte)))], consumed: 1)
        default:
            return utf8(at: index)
        }
    }

    /// Ctrl-A (0x01) is named "a"; 0x00 is "@", 0x1C…0x1F are "\ ] ^ _".
    private static func controlName(_ byte: UInt8) -> Character {
        let base = byte | 0x40
        let name = (0x41...0x5A).contains(base) ? base | 0x20 : base
        return Character(Unicode.Scalar(name))
    }

    // MARK: UTF-8

    private func utf8(at index: Int) -> Step {
        let lead = pending[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return .keys([], consumed: 1)  // stray continuation or invalid lead
        }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            let position = index + offset
            guard position < pending.count else { return .incomplete }
            let byte = pending[position]
            let allowed = offset == 1 ? secondRange : 0x80...0xBF
            // Drop only the bytes seen so far; the offending byte starts afresh.
            guard allowed.contains(byte) else { return .keys([], consumed: offset) }
            value = (value << 6) | (UInt32(byte) & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value), !Self.isControl(scalar) else {
            return .keys([], consumed: length)
        }
        return .keys([.character(Character(scalar))], consumed: length)
    }

    /// C1 controls (U+0080…U+009F) would move the terminal's cursor; drop them.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    // MARK: Escape sequences

    private mutating func escape(at index: Int) -> Step {
        let next = index + 1
        guard next < pending.count else { return .incomplete }
        switch pending[next] {
        case 0x5B:  // ESC [
            return controlSequence(at: index)
        case 0x4F:  // ESC O
            return singleShift(at: index)
        case 0x08, 0x7F:
            return .keys([.metaBackspace], consumed: 2)
        case 0x20...0x7E:
            return .keys([.meta(Character(Unicode.Scalar(pending[next])))], consumed: 2)
        default:
            // ESC ESC, ESC + control or ESC + non-ASCII: a lone Escape, then
            // the next byte is decoded on its own.
            return .keys([.escape], consumed: 1)
        }
    }

    /// ESC [ parameters intermediates final.
    private mutating func controlSequence(at index: Int) -> Step {
        var position = index + 2
        // The Linux console sends ESC [ [ A … ESC [ [ E for F1…F5.
        if position < pending.count, pending[position] == 0x5B {
            return position + 1 < pending.count ? .keys([], consumed: 4) : .incomplete
        }
        while position < pending.count {
            let byte = pending[position]
            switch byte {
            case 0x20...0x3F:  // parameter and intermediate bytes
                position += 1
                if position - index > Self.maximumSequenceLength {
                    skippingSequence = true
                    return .keys([], consumed: position - index)
                }
            case 0x40...0x7E:
                let body = Array(pending[(index + 2)..<position])
                return .keys(Self.csiKeys(body: body, final: byte), consumed: position - index + 1)
            default:
                // Malformed: drop what we have, decode the interrupting byte normally.
                return .keys([], consumed: position - index)
            }
        }
        return .incomplete
    }

    /// ESC O [parameters] final, as sent in application cursor mode.
    private mutating func singleShift(at index: Int) -> Step {
        var position = index + 2
        while position < pending.count {
            let byte = pending[position]
            switch byte {
            case 0x30...0x3B:  // xterm may put modifiers here: ESC O 1 ; 5 C
                position += 1
                if position - index > Self.maximumSequenceLength {
                    skippingSequence = true
                    return .keys([], consumed: position - index)
                }
            case 0x40...0x7E:
                return .keys(Self.ss3Keys(final: byte), consumed: position - index + 1)
            default:
                return .keys([], consumed: position - index)
            }
        }
        return .incomplete
    }

    private static func csiKeys(body: [UInt8], final: UInt8) -> [Key] {
        // Private parameters (< = > ?) and intermediates mark replies and
        // modes, never keys.
        if let first = body.first, (0x3C...0x3F).contains(first) { return [] }
        if body.contains(where: { (0x20...0x2F).contains($0) }) { return [] }
        let parameters = parseParameters(body)
        let modifier = parameters.count > 1 ? (parameters[1] ?? 1) : 1
        // xterm modifier codes: 1 + (shift 1 | alt 2 | ctrl 4 | meta 8).
        let byWord = modifier > 1 && ((modifier - 1) & 0b1110) != 0
        switch final {
        case 0x41: return [.up]
        case 0x42: return [.down]
        case 0x43: return [byWord ? .wordRight : .right]
        case 0x44: return [byWord ? .wordLeft : .left]
        case 0x48: return [.home]
        case 0x46: return [.end]
        case 0x7E:
            switch parameters.first ?? nil {
            case 1, 7: return [.home]
            case 4, 8: return [.end]
            case 3: return [.delete]
            default: return []  // Insert, Page Up/Down, function keys, paste marks
            }
        default:
            return []
        }
    }

    private static func ss3Keys(final: UInt8) -> [Key] {
        switch final {
        case 0x41: return [.up]
        case 0x42: return [.down]
        case 0x43: return [.right]
        case 0x44: return [.left]
        case 0x48: return [.home]
        case 0x46: return [.end]
        case 0x4D: return [.enter]  // keypad Enter
        case 0x63: return [.wordRight]  // rxvt Ctrl-Right
        case 0x64: return [.wordLeft]  // rxvt Ctrl-Left
        default: return []
        }
    }

    /// "1;5" → [1, 5]; empty fields are nil; absurd numbers are nil.
    private static func parseParameters(_ body: [UInt8]) -> [Int?] {
        body.split(separator: 0x3B, omittingEmptySubsequences: false).map { field in
            guard !field.isEmpty, field.count <= 6, field.allSatisfy({ (0x30...0x39).contains($0) }) else {
                return nil
            }
            return field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
    }
}
