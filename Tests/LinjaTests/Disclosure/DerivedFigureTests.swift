import Testing
@testable import Linja
@testable import LinjaDisclosure

/// Shares, averages, medians and durations over a group are hidden when the
/// group or the counts under them are small; minimum and maximum are never
/// shown per municipality.
@Suite struct DerivedFigureTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var figure: DerivedFigure
        var group: Int
        var scope: DerivedFigure.Scope = .municipality
        var beside: [Disclosed] = []
        var expected: DerivedFigure.Withheld?
        var testDescription: String { "\(figure) over \(group) (\(scope)) → \(expected.map { "\($0)" } ?? "shown")" }
    }

    @Test(arguments: [
        Case(figure: .share(numerator: 20), group: 40, expected: nil),
        Case(figure: .share(numerator: 20), group: 4, expected: .groupTooSmall),
        Case(figure: .share(numerator: 3), group: 40, expected: .numeratorTooSmall),
        Case(figure: .share(numerator: 37), group: 40, expected: .complementTooSmall),
        Case(figure: .share(numerator: 35), group: 40, expected: nil),
        Case(figure: .share(numerator: 5), group: 40, expected: nil),
        Case(figure: .share(numerator: 0), group: 40, expected: nil),
        Case(figure: .share(numerator: 40), group: 40, expected: nil),
        Case(figure: .share(numerator: 0), group: 0, expected: .groupTooSmall),
        Case(figure: .share(numerator: 41), group: 40, expected: .inconsistent),
        Case(figure: .share(numerator: -1), group: 40, expected: .inconsistent),
        Case(figure: .average, group: -3, expected: .inconsistent),
        Case(figure: .average, group: 5, expected: nil),
        Case(figure: .average, group: 4, expected: .groupTooSmall),
        Case(figure: .median, group: 3, expected: .groupTooSmall),
        Case(figure: .duration, group: 12, expected: nil),
        Case(figure: .minimum, group: 500, expected: .extremeValue),
        Case(figure: .maximum, group: 500, expected: .extremeValue),
        Case(figure: .maximum, group: 500, scope: .area, expected: nil),
        Case(figure: .maximum, group: 2, scope: .area, expected: .groupTooSmall),
        Case(figure: .share(numerator: 20), group: 40, beside: [.shown(40), .hidden(.secondary)], expected: .restsOnHiddenCount),
        Case(figure: .average, group: 40, beside: [.hidden(.primary)], expected: .restsOnHiddenCount),
        Case(figure: .share(numerator: 20), group: 40, beside: [.shown(40), .shown(20)], expected: nil),
    ])
    func aDerivedFigureIsHiddenWhenItsCountsAre(_ c: Case) {
        #expect(c.figure.withheld(group: c.group, limit: 5, scope: c.scope, countsShownBeside: c.beside) == c.expected)
    }

    @Test func aLimitOfOneHidesOnlyExtremeValuesPerMunicipality() {
        #expect(DerivedFigure.share(numerator: 1).withheld(group: 2, limit: 1, scope: .municipality) == nil)
        #expect(DerivedFigure.minimum.withheld(group: 2, limit: 1, scope: .municipality) == .extremeValue)
    }
}
