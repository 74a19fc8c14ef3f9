/// Whether a figure computed over a group of clients may be shown: a share,
/// average, median or duration gives away as much as the counts under it.
public enum DerivedFigure: Hashable, Sendable {
    /// `numerator` of the group's clients have the property (a share, e.g.
    /// face-to-face initial interviews among initial interviews).
    case share(numerator: Int)
    /// An average over the group's clients.
    case average
    /// A median over the group's clients.
    case median
    /// A duration (e.g. mean days to the initial interview) over the group's clients.
    case duration
    /// The smallest value in the group: one client's own value.
    case minimum
    /// The largest value in the group: one client's own value.
    case maximum

    /// Where the figure is shown.
    public enum Scope: Hashable, Sendable {
        /// Over the whole area.
        case area
        /// Over one municipality (or any group smaller than the area).
        case municipality
    }

    /// Why a derived figure is hidden.
    public enum Withheld: Hashable, Sendable {
        /// The group has fewer than `limit` clients.
        case groupTooSmall
        /// The share's numerator is from 1 to `limit − 1`.
        case numeratorTooSmall
        /// The share's complement (group − numerator) is from 1 to `limit − 1`.
        case complementTooSmall
        /// Minimum and maximum are never shown per municipality: each is one
        /// person's own value.
        case extremeValue
        /// A count the figure rests on is hidden in the same output; showing
        /// the figure would let a reader compute it (count = share × group).
        case restsOnHiddenCount
        /// A numerator outside 0…group, or a negative group: not a real figure.
        case inconsistent
    }

    /// nil when the figure may be shown, else why it is hidden.
    ///
    /// A numerator or complement of exactly 0 does not hide a share (0 % and
    /// 100 % are shown), for the same reason a zero count is shown: it names
    /// no one, and the counts table shows the same zero anyway (`Suppression`).
    /// Pass the `Disclosed` of the counts under the figure when the same
    /// output shows them (the group's client count, the share's numerator):
    /// if either is hidden there, the figure is hidden too.
    public func withheld(group: Int, limit: Int, scope: Scope, countsShownBeside: [Disclosed] = []) -> Withheld? {
        if group < 0 { return .inconsistent }
        switch self {
        case .minimum, .maximum:
            switch scope {
            case .municipality: return .extremeValue
            case .area: break
            }
        case .share, .average, .median, .duration:
            break
        }
        if limit <= 1 { return nil }
        if group < limit { return .groupTooSmall }
        if case .share(let k) = self {
            if k < 0 || k > group { return .inconsistent }
            if k > 0 && k < limit { return .numeratorTooSmall }
            if group - k > 0 && group - k < limit { return .complementTooSmall }
        }
        if countsShownBeside.contains(where: \.isHidden) { return .restsOnHiddenCount }
        return nil
    }
}
