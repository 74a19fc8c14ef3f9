import Linja

/// Options several commands take, declared once: the same name, value name
/// and (unless a command has something to add) the same help everywhere.
extension OptionSpec {
    public static func clients(_ help: String = "Client records (CSV or JSON Lines).") -> OptionSpec {
        .value("clients", "FILE", help)
    }
    public static func asOf(_ help: String = "The date decisions are made on (2026-05-01).") -> OptionSpec {
        .value("as-of", "DATE", help)
    }
    public static func params(_ help: String = "Override a param for this run (checked against its type).") -> OptionSpec {
        .multiple("param", "NAME=VALUE", help)
    }
    public static func period(_ help: String = "The period goals are evaluated for: 2026, 2026-Q1 or 2026-03.") -> OptionSpec {
        .value("period", "PERIOD", help)
    }
    public static func actuals(_ help: String = "Indicator data (CSV).") -> OptionSpec {
        .value("actuals", "FILE", help)
    }
    public static func out(_ help: String = "Write to FILE instead of standard output.") -> OptionSpec {
        .value("out", "FILE", help)
    }
    public static func lang(_ help: String = "Language of tables and HTML (default fi).") -> OptionSpec {
        .value("lang", "fi|en", help)
    }
    public static func csvDialect(_ help: String = "fi: semicolons, decimal commas and d.m.yyyy dates.") -> OptionSpec {
        .value("csv-dialect", "fi|en", help)
    }
    public static func threads(_ help: String = "Worker threads (default: the number of cores). Output is the same for any T.") -> OptionSpec {
        .value("threads", "T", help)
    }
    public static func format(_ choices: String, _ help: String) -> OptionSpec {
        .value("format", choices, help)
    }
}

extension ParsedArguments {
    /// A date option's value, when given (2026-05-01 or 1.5.2026).
    public func date(_ option: String) throws -> Day? {
        try value(option).map { try parseDate($0, option: option) }
    }

    /// An option that must be given; `why` says why in the message.
    public func required(_ option: String, _ valueName: String, why: String? = nil) throws -> String {
        guard let v = value(option) else {
            throw UsageError(message: "--\(option) \(valueName) is required" + (why.map { ": \($0)" } ?? ""))
        }
        return v
    }
}
