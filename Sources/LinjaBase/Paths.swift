import Foundation

/// Paths as the tools compare and show them.
public enum Paths {
    /// An absolute path with `.` and `..` resolved (symbolic links kept).
    public static func normalize(_ path: String) -> String {
        let abs = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for p in abs.split(separator: "/") {
            if p == "." || p.isEmpty { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The path to show in messages: relative to the working directory when inside it.
    public static func display(_ path: String) -> String {
        let cwd = normalize(FileManager.default.currentDirectoryPath)
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }
}
