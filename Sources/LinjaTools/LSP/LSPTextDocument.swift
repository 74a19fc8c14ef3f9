/// A document the editor has open: its text as the editor has it (unsaved
/// edits included), which is what the server checks.
public struct TextDocument: Sendable {
    public var uri: String
    /// The absolute path, for `file://` documents.
    public var path: String?
    public var version: Int
    public private(set) var map: LineMap

    public var bytes: [UInt8] { map.bytes }
    public var text: String { String(decoding: map.bytes, as: UTF8.self) }

    public init(uri: String, version: Int, text: String) {
        self.uri = uri
        self.path = DocumentURI.path(uri)
        self.version = version
        self.map = LineMap(bytes: Array(text.utf8))
    }

    /// Applies one `contentChanges` entry: with a range, it replaces that
    /// range (in UTF-16 positions); without one, the whole text.
    public mutating func apply(range: LSPRange?, text: String) {
        guard let range else {
            map = LineMap(bytes: Array(text.utf8))
            return
        }
        var lo = map.offset(of: range.start)
        var hi = map.offset(of: range.end)
        if hi < lo { swap(&lo, &hi) }
        var bytes = map.bytes
        bytes.replaceSubrange(lo..<hi, with: Array(text.utf8))
        map = LineMap(bytes: bytes)
    }
}
