/// Text made safe for HTML, for every self-contained HTML page Linja writes.
enum HTML {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// The page, headings and tables every HTML page Linja writes shares.
    static let baseCSS = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;color:#1b1b1b;line-height:1.4;padding:0 1rem}
    h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
    h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
    .meta{color:#555;font-size:.9rem}
    table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.92rem}
    th,td{border-bottom:1px solid #e2e2e2;padding:.35rem .5rem;text-align:left;vertical-align:top}
    th{background:#f4f4f4;font-weight:600}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}

    """

    /// A target's or goal's status as a coloured badge (also text and symbol).
    static let statusCSS = """
    .s-met{color:#0b5d1e;background:#e3f4e6;border-color:#7cc08a}
    .s-near{color:#6b4a00;background:#fff4d6;border-color:#e0b84a}
    .s-missed{color:#8a1111;background:#fde4e4;border-color:#e08080}
    .s-no_data,.s-none{color:#444;background:#eee;border-color:#bbb}
    .s-assessed{color:#123f72;background:#e3eefb;border-color:#86a9d6}

    """
}
