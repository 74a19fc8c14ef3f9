import Linja

/// How every output writes a disclosed count: the number, "< 5" for a small
/// count, ".." for one hidden so that a small one cannot be worked out; in
/// JSON a number or an object that no reader takes for one. One place, so
/// the routing table, the cards and `linja diff` mark hidden counts alike.
public struct DisclosedFormat: Sendable {
    /// The policy's `suppress below`.
    public var limit: Int

    public init(limit: Int) { self.limit = limit }

    public func text(_ d: Disclosed, language: ReportLanguage) -> String {
        switch d {
        case .shown(let n): return language.count(n)
        case .hidden(.primary): return "< \(limit)"
        case .hidden(.secondary): return ".."
        }
    }

    public func json(_ d: Disclosed) -> JSON {
        switch d {
        case .shown(let n): return .int(n)
        case .hidden(.primary): return .object([("hidden", .string("small")), ("below", .int(limit))])
        case .hidden(.secondary): return .object([("hidden", .string("protects_small"))])
        }
    }

    /// What the markers mean, in the reader's language.
    public func legend(language: ReportLanguage) -> String {
        language.isFinnish
            ? "Alle \(limit) henkilön luvut näytetään muodossa \"< \(limit)\"; \"..\" on piilotettu, jottei pientä lukua voi laskea muista luvuista. Nollat näytetään."
            : "Counts under \(limit) are shown as \"< \(limit)\"; \"..\" is hidden so that a small count cannot be worked out from the others. Zeros are shown."
    }
}
