/// One published count in a `Publication`: its position in the order the
/// cells were added. Positions break ties when cells are chosen for
/// secondary suppression, so the same publication always hides the same cells.
public struct CellID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: CellID, b: CellID) -> Bool { a.index < b.index }
    public var description: String { "#\(index)" }
}

/// Everything one output shows, as a reader can do arithmetic with it:
/// the counts (cells), and the relations between them that the reader knows
/// from the output itself or from the policy. Suppression is decided over the
/// whole publication at once, because a hidden count is only as safe as the
/// weakest combination of the figures shown beside it.
///
/// Every figure that appears in the output must be a cell here, totals and
/// subtotals included (a total is a cell like any other, and may be hidden
/// too). A figure that the output does not show but a reader should not be
/// able to work out either, such as the clients of a municipality *without*
/// an outcome (the complement behind a share), can be added as a cell with
/// its relation and simply never rendered.
public struct Publication: Sendable {
    /// Counts from 1 to `limit − 1` are hidden (`report { suppress below N }`).
    /// A limit of 1 or less hides nothing; a limit of 2 is refused, because a
    /// reader who knows that the hidden cells are the ones that equal 1 knows
    /// them all.
    public let limit: Int
    /// The true counts, by `CellID.index`.
    public private(set) var values: [Int] = []
    /// What a reader knows about the cells besides their shown values.
    public private(set) var relations: [Relation] = []

    /// A linear fact a reader knows. Every relation must hold for the true
    /// counts; `protect()` checks that.
    public enum Relation: Hashable, Sendable {
        /// The first cell is the sum of the others: a row total, a
        /// municipality's client count as the sum of its parts, a service
        /// area's subtotal, a grand total.
        case total(CellID, of: [CellID])
        /// The sum of the first cells is at most the second: an outcome's
        /// count is at most its municipality's clients; an outcome whose rule
        /// requires another's is at most that one; the destinations of one
        /// outcome together are at most the clients.
        case atMost([CellID], CellID)
        /// Always equal: outcomes that one rule always gives together. Such
        /// cells are hidden or shown together.
        case identical(CellID, CellID)
    }

    public init(limit: Int) { self.limit = limit }

    /// Adds a published count and returns its place.
    public mutating func add(_ value: Int) -> CellID {
        values.append(value)
        return CellID(values.count - 1)
    }

    /// `total` is the sum of `parts`.
    public mutating func total(_ total: CellID, of parts: [CellID]) {
        relations.append(.total(total, of: parts))
    }

    /// `cell` is at most `bound`.
    public mutating func atMost(_ cell: CellID, _ bound: CellID) {
        relations.append(.atMost([cell], bound))
    }

    /// The sum of `parts` is at most `bound`.
    public mutating func sumAtMost(_ parts: [CellID], _ bound: CellID) {
        relations.append(.atMost(parts, bound))
    }

    /// `a` and `b` are always equal.
    public mutating func identical(_ a: CellID, _ b: CellID) {
        relations.append(.identical(a, b))
    }

    /// Decides which cells are shown and which are hidden: primary
    /// suppression of the small counts, then secondary suppression until an
    /// exact integer check finds at least two values for every hidden cell.
    public func protect() throws(DisclosureError) -> ProtectedPublication {
        try validate()
        return Suppressor(self).run()
    }

    /// The largest count accepted: keeps every sum the checks form far from
    /// `Int` overflow.
    public static let maximumCount = 1 << 36
    /// The most cells one publication may have (for the same reason).
    public static let maximumCells = 1 << 20

    func validate() throws(DisclosureError) {
        if limit == 2 { throw .limitCannotProtect(limit) }
        if limit > Self.maximumCount { throw .limitOutOfRange(limit) }
        if values.count > Self.maximumCells { throw .tooManyCells(values.count) }
        for (i, v) in values.enumerated() {
            if v < 0 { throw .negativeCount(CellID(i), v) }
            if v > Self.maximumCount { throw .countTooLarge(CellID(i), v) }
        }
        for (r, relation) in relations.enumerated() {
            let cells: [CellID]
            switch relation {
            case .total(let t, of: let parts): cells = [t] + parts
            case .atMost(let parts, let bound): cells = parts + [bound]
            case .identical(let a, let b): cells = [a, b]
            }
            var seen = Set<Int>()
            for c in cells {
                guard c.index >= 0, c.index < values.count else { throw .unknownCell(relation: r, c) }
                guard seen.insert(c.index).inserted else { throw .repeatedCell(relation: r, c) }
            }
            let holds: Bool
            switch relation {
            case .total(let t, of: let parts): holds = values[t.index] == parts.reduce(0) { $0 + values[$1.index] }
            case .atMost(let parts, let bound): holds = parts.reduce(0) { $0 + values[$1.index] } <= values[bound.index]
            case .identical(let a, let b): holds = values[a.index] == values[b.index]
            }
            if !holds { throw .relationDoesNotHold(relation: r) }
        }
    }
}

/// Why a publication cannot be protected as given. These are input errors
/// (exit code 2 in a command), never traps.
public enum DisclosureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `suppress below 2` would hide exactly the ones, and a reader who knows
    /// the rule knows every hidden count is 1.
    case limitCannotProtect(Int)
    /// A limit above `Publication.maximumCount`.
    case limitOutOfRange(Int)
    /// A count below zero.
    case negativeCount(CellID, Int)
    /// A count above `Publication.maximumCount`.
    case countTooLarge(CellID, Int)
    /// More than `Publication.maximumCells` cells.
    case tooManyCells(Int)
    /// A relation names a cell that was never added.
    case unknownCell(relation: Int, CellID)
    /// A relation names the same cell twice.
    case repeatedCell(relation: Int, CellID)
    /// A relation does not hold for the true counts.
    case relationDoesNotHold(relation: Int)
    /// A `CountGrid` whose rows, groups or row references do not fit its shape.
    case invalidGrid(String)

    public var description: String {
        switch self {
        case .limitCannotProtect(let n):
            return "suppress below \(n) cannot protect anything: every hidden count would be known to be 1; use 1 (no suppression) or at least 3"
        case .limitOutOfRange(let n): return "suppress below \(n) is above \(Publication.maximumCount)"
        case .negativeCount(let c, let v): return "cell \(c) has a negative count \(v)"
        case .countTooLarge(let c, let v): return "cell \(c) has a count \(v) above \(Publication.maximumCount)"
        case .tooManyCells(let n): return "\(n) cells is more than \(Publication.maximumCells)"
        case .unknownCell(let r, let c): return "relation \(r) names cell \(c), which was never added"
        case .repeatedCell(let r, let c): return "relation \(r) names cell \(c) twice"
        case .relationDoesNotHold(let r): return "relation \(r) does not hold for the counts given"
        case .invalidGrid(let why): return "invalid table: \(why)"
        }
    }
}
