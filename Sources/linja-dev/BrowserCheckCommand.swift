import Foundation
import Linja
import LinjaDevTools
import LinjaTools

let browserCheckCommand = Command(
    spec: CommandSpec(
        name: "browser-check",
        usage: "linja-dev browser-check [RULES] [--keep DIR]",
        summary: "Open every area's report in headless Chromium (1280 px, 375 px, A4 PDF) and check what a reader sees.",
        details: """
        For each policy under RULES (default rules/) with sample data, writes its report with
        the 'linja' built beside this program, opens it in Chromium at 1280 and 375 pixels and
        prints it to PDF. Fails on text clipped by its box, text off the page outside a box that
        scrolls, a PDF that is not A4, or a municipality missing from the printed routing table.
        Without Chromium it says it was skipped and exits 0. --keep DIR keeps the reports.
        """,
        options: [
            .value("keep", "DIR", "Keep the reports in DIR."),
            .multiple("html", "FILE", "Check this HTML file instead of writing the reports (no municipality check)."),
        ]),
    run: { args in
        guard let chromium = BrowserCheck.findChromium() else {
            stdout.line("SKIPPED: Chromium is not installed (apt-get install -y chromium poppler-utils); the reports were not opened in a browser.")
            return Exit.ok
        }
        let me = CommandLine.arguments[0].hasPrefix("/")
            ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0]
        let linja = (me as NSString).deletingLastPathComponent + "/linja"
        let root = args.positional.first ?? "rules/"
        let dir = args.value("keep") ?? (NSTemporaryDirectory() + "linja-reports-\(getpid())")
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if args.value("keep") == nil { try? FileManager.default.removeItem(atPath: dir) } }
        var check = BrowserCheck(chromium: chromium)
        check.log = { stdout.line("  " + $0); stdout.flush() }
        var findings: [BrowserCheck.Finding] = []
        var checked = 0
        for file in args.all("html") {
            findings += check.check(html: file, municipalities: [])
            checked += 1
        }
        for policy in try loadPolicies([root]) where args.all("html").isEmpty && policy.report.sampleClients != nil && !policy.hasErrors {
            let out = "\(dir)/\(policy.name).html"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: linja)
            p.arguments = ["report", policy.directory, "--out", out]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                findings.append(.init(report: policy.name, what: "linja report exited \(p.terminationStatus)"))
                continue
            }
            stdout.line("\(policy.name): \(out)")
            findings += check.check(html: out, municipalities: policy.municipalities.map(\.name))
            checked += 1
        }
        for f in findings { stdout.line("FAIL \(f.report): \(f.what)") }
        stdout.line("browser check: \(checked) report\(checked == 1 ? "" : "s") opened in Chromium, \(findings.count) problem\(findings.count == 1 ? "" : "s")")
        return findings.isEmpty && checked > 0 ? Exit.ok : Exit.failure
    })
