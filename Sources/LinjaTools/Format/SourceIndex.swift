import Linja

/// The tokens and comments of one file, for the formatter to find what the
/// syntax tree does not keep: where a clause keyword stands, whether a unit
/// was quoted, where a blank line was.
struct SourceIndex {
    let file: SourceFile
    /// Without the end-of-file token.
    let tokens: [Token]
    let comments: [Comment]

    init(file: SourceFile, comments: [Comment]) {
        self.file = file
        self.tokens = Lexer.lex(file).tokens.filter { !$0.isEOF }
        self.comments = comments.sorted { $0.start < $1.start }
    }

    /// The index of the first token starting at or after `offset`.
    func firstIndex(atOrAfter offset: Int) -> Int {
        var lo = 0
        var hi = tokens.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if tokens[mid].start < offset { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The token that starts exactly at `offset`.
    func token(at offset: Int) -> Token? {
        let i = firstIndex(atOrAfter: offset)
        return i < tokens.count && tokens[i].start == offset ? tokens[i] : nil
    }

    /// The last token that ends at or before `offset`.
    func token(before offset: Int) -> Token? {
        let i = firstIndex(atOrAfter: offset)
        var j = i - 1
        while j >= 0 {
            if tokens[j].end <= offset { return tokens[j] }
            j -= 1
        }
        return nil
    }

    /// The first token that starts at or after `offset`.
    func token(after offset: Int) -> Token? {
        let i = firstIndex(atOrAfter: offset)
        return i < tokens.count ? tokens[i] : nil
    }

    /// The first token at or after `offset` that is not a comma.
    func tokenSkippingCommas(after offset: Int) -> Token? {
        var i = firstIndex(atOrAfter: offset)
        while i < tokens.count, tokens[i].kind == .comma { i += 1 }
        return i < tokens.count ? tokens[i] : nil
    }

    /// Tokens starting in `range` (byte offsets).
    func tokens(in range: Range<Int>) -> ArraySlice<Token> {
        let lo = firstIndex(atOrAfter: range.lowerBound)
        let hi = firstIndex(atOrAfter: range.upperBound)
        return tokens[lo..<max(lo, hi)]
    }

    /// Whether an empty line stands between `offset` and the token or comment
    /// that ends before it.
    func blankLine(before offset: Int) -> Bool {
        var previousEnd = token(before: offset)?.end ?? 0
        // The last comment that ends before the offset, if it is later than the token.
        var lo = 0
        var hi = comments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if comments[mid].end <= offset { lo = mid + 1 } else { hi = mid }
        }
        if lo > 0 { previousEnd = max(previousEnd, comments[lo - 1].end) }
        if previousEnd == 0 && token(before: offset) == nil && lo == 0 { return false }
        var newlines = 0
        var k = previousEnd
        let bytes = file.bytes
        while k < offset, k < bytes.count {
            let b = bytes[k]
            if b == UInt8(ascii: "\n") {
                newlines += 1
            } else if b == UInt8(ascii: "\r") {
                newlines += 1
                if k + 1 < offset, bytes[k + 1] == UInt8(ascii: "\n") { k += 1 }
            }
            k += 1
        }
        return newlines >= 2
    }

    /// The source text of a byte range.
    func text(_ start: Int, _ end: Int) -> String {
        file.text(start..<end)
    }
}
