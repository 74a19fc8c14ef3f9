/// A count as an output may show it. A hidden count carries no number at
/// all, so no renderer can print it by mistake: the only way to a value is
/// `.shown`.
public enum Disclosed: Hashable, Sendable {
    /// Shown as it is. Zeros are shown: see `Suppression`.
    case shown(Int)
    /// Hidden, and why.
    case hidden(Suppression)

    /// The value, for shown cells only.
    public var value: Int? {
        switch self {
        case .shown(let v): return v
        case .hidden: return nil
        }
    }

    public var isHidden: Bool {
        switch self {
        case .shown: return false
        case .hidden: return true
        }
    }
}

/// Why a count is hidden.
///
/// A zero is never hidden. It says that nobody in the group has the outcome,
/// which singles out no one; a reader who knows the policy often knows it
/// anyway (an outcome a municipality's rules never give); and hiding zeros
/// would not make a hidden count any safer, because a reader who knows that
/// zeros are always shown knows every hidden count is at least 1. A zero
/// still enters every equation as a known value, so a zero beside a total is
/// accounted for exactly like any other shown count.
public enum Suppression: Hashable, Sendable {
    /// The count itself is from 1 to `limit − 1`.
    case primary
    /// The count is 0 or at least `limit` but hidden so that the totals
    /// cannot give a primary one away. Secondary cells are never zeros, so
    /// they are at least `limit`; the check assumes a reader knows that, so
    /// an output may mark primary and secondary cells differently.
    case secondary
}

/// The outcome of `Publication.protect()`: a `Disclosed` per cell.
public struct ProtectedPublication: Sendable {
    /// By `CellID.index`.
    public let cells: [Disclosed]
    /// Hidden cells that keep a single possible value even with every
    /// non-zero cell hidden: e.g. a row whose total is 4 with four non-zero
    /// parts (each is at least 1, so each is 1). When not empty, the figures
    /// of the relations these cells are in must be withheld altogether (the
    /// row not shown at all), not shown with hidden cells.
    public let unprotected: [CellID]
    public let statistics: Statistics

    public subscript(_ cell: CellID) -> Disclosed { cells[cell.index] }

    /// How much work the protection took, for tests and benchmarks.
    public struct Statistics: Hashable, Sendable {
        /// Cells hidden because they are small.
        public var primary = 0
        /// Cells hidden to protect others.
        public var secondary = 0
        /// Exact integer checks run (one per hidden cell that no earlier
        /// witness covered).
        public var checks = 0
        /// Search nodes over all checks.
        public var nodes = 0
        /// Checks that ran out of their node budget; such a cell is treated
        /// as not protected, so a budget can only cause extra suppression.
        public var undecided = 0
        /// Secondary choices made by the cheapest-move search.
        public var moves = 0
        /// Secondary choices made by the fallback (one cell at a time).
        public var fallbacks = 0
    }
}
