/// How serious a diagnostic is. Errors make `linja check` exit 1.
public enum Severity: String, Sendable, Codable, Comparable {
    case error, warning, note

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    var rank: Int {
        switch self {
        case .error: return 0
        case .warning: return 1
        case .note: return 2
        }
    }
}

/// A secondary location that explains a diagnostic ("first declared here").
public struct DiagnosticNote: Sendable, Equatable {
    public var message: String
    public var span: Span?
    public init(_ message: String, at span: Span? = nil) {
        self.message = message
        self.span = span
    }
}

/// One finding about the policy's source: data, not text. Rendered by
/// `DiagnosticRenderer` as text or JSON.
public struct Diagnostic: Sendable, Equatable {
    public var code: DiagnosticCode
    public var severity: Severity
    public var message: String
    public var span: Span
    public var notes: [DiagnosticNote]
    /// A fix hint ("did you mean `Mänttä-Vilppula`?").
    public var help: String?

    public init(_ code: DiagnosticCode, _ message: String, at span: Span,
                severity: Severity? = nil, notes: [DiagnosticNote] = [], help: String? = nil) {
        self.code = code
        self.severity = severity ?? code.defaultSeverity
        self.message = message
        self.span = span
        self.notes = notes
        self.help = help
    }

    public var location: SourceLocation? { span.location }
}

/// Collects diagnostics; sorts them by position and caps them when asked.
public struct DiagnosticBag: Sendable {
    public private(set) var items: [Diagnostic] = []
    public init() {}

    public mutating func add(_ d: Diagnostic) { items.append(d) }
    public mutating func add(contentsOf ds: [Diagnostic]) { items.append(contentsOf: ds) }
    public mutating func error(_ code: DiagnosticCode, _ message: String, at span: Span,
                               notes: [DiagnosticNote] = [], help: String? = nil) {
        items.append(Diagnostic(code, message, at: span, notes: notes, help: help))
    }
    public mutating func warning(_ code: DiagnosticCode, _ message: String, at span: Span,
                                 notes: [DiagnosticNote] = [], help: String? = nil) {
        items.append(Diagnostic(code, message, at: span, severity: .warning, notes: notes, help: help))
    }

    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    public var errorCount: Int { items.filter { $0.severity == .error }.count }

    /// Sorted by file, then position, then severity; exact duplicates removed.
    public var sorted: [Diagnostic] { Self.sort(items) }

    public static func sort(_ ds: [Diagnostic]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen = Set<String>()
        let ordered = ds.enumerated().sorted { l, r in
            let a = l.element, b = r.element
            if Span.precedes(a.span, b.span) { return true }
            if Span.precedes(b.span, a.span) { return false }
            if a.severity != b.severity { return a.severity < b.severity }
            return l.offset < r.offset
        }
        for (_, d) in ordered {
            let key = "\(d.span.file?.path ?? ""):\(d.span.start):\(d.span.end):\(d.code.rawValue):\(d.message)"
            if seen.insert(key).inserted { out.append(d) }
        }
        return out
    }
}
