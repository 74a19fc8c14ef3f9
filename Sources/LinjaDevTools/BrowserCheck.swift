import Foundation
import Linja
import LinjaTools

/// Opens reports in a real browser (headless Chromium) as their readers
/// would, at a desktop and a phone width, and prints them to PDF; fails on
/// what a reader would see wrong: text clipped by its box, text running off
/// the page outside a box that scrolls, a PDF that is not A4, a
/// municipality missing from the printed routing table.
public struct BrowserCheck {
    public var chromium: String
    public var widths = [1280, 375]
    public var log: (String) -> Void = { _ in }

    public init(chromium: String) {
        self.chromium = chromium
    }

    /// The first Chromium on PATH, if any.
    public static func findChromium() -> String? {
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
                let p = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: p) { return p }
            }
        }
        return nil
    }

    public static func tool(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Injected into a copy of the report: lists what is clipped or off the page.
    static let measure = """
    <script>
    (function () {
      var problems = [];
      var vw = document.documentElement.clientWidth;
      function desc(el) {
        var t = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
        return el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' "' + t + '"';
      }
      function scrolls(el) {
        for (var p = el.parentElement; p; p = p.parentElement) {
          var s = getComputedStyle(p);
          if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.scrollWidth > p.clientWidth) return true;
        }
        return false;
      }
      var all = document.body.querySelectorAll('*');
      for (var i = 0; i < all.length; i++) {
        var el = all[i];
        if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE') continue;
        var s = getComputedStyle(el);
        if (s.display === 'none') continue;
        var text = (el.textContent || '').trim().length > 0;
        if (text && (s.overflowX === 'hidden' || s.overflowX === 'clip') && el.scrollWidth > el.clientWidth + 1) problems.push('clipped: ' + desc(el));
        if (text && (s.overflowY === 'hidden' || s.overflowY === 'clip') && el.scrollHeight > el.clientHeight + 1) problems.push('clipped: ' + desc(el));
        var r = el.getBoundingClientRect();
        if (text && r.width > 0 && r.right > vw + 1 && !scrolls(el)) problems.push('off the page (right edge ' + Math.round(r.right) + ' > ' + vw + '): ' + desc(el));
        if (text && el.children.length === 0 && s.display !== 'inline' && el.scrollWidth > el.clientWidth + 1 && !scrolls(el)) problems.push('text wider than its box: ' + desc(el));
      }
      var out = document.createElement('pre');
      out.id = 'linja-measure';
      out.textContent = 'LINJA-MEASURE' + JSON.stringify(problems) + 'LINJA-END';
      document.body.appendChild(out);
    })();
    </script>
    """

    public struct Finding: Sendable {
        public var report: String
        public var what: String
        public init(report: String, what: String) {
            self.report = report
            self.what = what
        }
    }

    /// Checks one report file: both widths, then the PDF.
    public func check(html path: String, municipalities: [String]) -> [Finding] {
        var findings: [Finding] = []
        let name = (path as NSString).lastPathComponent
        guard let html = try? String(contentsOfFile: path, encoding: .utf8) else {
            return [Finding(report: name, what: "cannot read \(path)")]
        }
        let dir = NSTemporaryDirectory() + "linja-browser-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let measured = dir + "/measured.html"
        try? html.replacingOccurrences(of: "</body>", with: BrowserCheck.measure + "</body>").write(toFile: measured, atomically: true, encoding: .utf8)
        for w in widths {
            let (out, status) = run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                               "--window-size=\(w),900", "--virtual-time-budget=5000", "--dump-dom", measured])
            guard status == 0, let pre = out.range(of: "id=\"linja-measure\">"),
                  let a = out.range(of: "LINJA-MEASURE", range: pre.upperBound..<out.endIndex),
                  let b = out.range(of: "LINJA-END", range: a.upperBound..<out.endIndex) else {
                findings.append(Finding(report: name, what: "\(w) px: Chromium did not measure the page (exit \(status))"))
                continue
            }
            let json = String(out[a.upperBound..<b.lowerBound])
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
            let problems = (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]) ?? ["unreadable measurement: \(json.prefix(200))"]
            log("\(name) at \(w) px: \(problems.count) problem\(problems.count == 1 ? "" : "s")")
            for p in problems { findings.append(Finding(report: name, what: "\(w) px: \(p)")) }
        }
        let pdf = dir + "/report.pdf"
        let (_, status) = run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf=\(pdf)", path])
        guard status == 0, FileManager.default.fileExists(atPath: pdf) else {
            return findings + [Finding(report: name, what: "printing to PDF failed (exit \(status))")]
        }
        if let pdfinfo = BrowserCheck.tool("pdfinfo") {
            let (info, _) = run(pdfinfo, [pdf])
            let size = info.split(separator: "\n").first { $0.hasPrefix("Page size:") }.map(String.init) ?? ""
            log("\(name) PDF: \(size.replacingOccurrences(of: "Page size:", with: "").trimmingCharacters(in: .whitespaces))")
            if !size.contains("(A4)") { findings.append(Finding(report: name, what: "the PDF is not A4: \(size)")) }
        } else {
            findings.append(Finding(report: name, what: "pdfinfo is not installed (poppler-utils): the paper size was not checked"))
        }
        if let pdftotext = BrowserCheck.tool("pdftotext") {
            let (text, _) = run(pdftotext, ["-layout", pdf, "-"])
            let start = text.range(of: "Ohjaukset ja oikeudet kunnittain") ?? text.range(of: "Routing by municipality")
            if let s = start {
                // The cards' section after the routing table (a goal may be named "Kuntakortit: …" earlier).
                let rest = s.upperBound..<text.endIndex
                let end = text.range(of: "\nKuntakortit\n", range: rest) ?? text.range(of: "Kuntakortit", range: rest)
                    ?? text.range(of: "Municipality cards", range: rest)
                let routing = String(text[s.upperBound..<(end.map { $0.lowerBound } ?? text.endIndex)])
                for m in municipalities where !routing.contains(m) {
                    findings.append(Finding(report: name, what: "the printed routing table has no \(m)"))
                }
                log("\(name) PDF: routing table printed with \(municipalities.filter { routing.contains($0) }.count) of \(municipalities.count) municipalities")
            }
        } else {
            findings.append(Finding(report: name, what: "pdftotext is not installed (poppler-utils): the printed text was not checked"))
        }
        return findings
    }

    func run(_ exe: String, _ args: [String]) -> (String, Int32) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return ("", -1) }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), p.terminationStatus)
    }
}
