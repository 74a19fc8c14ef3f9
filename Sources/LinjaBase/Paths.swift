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

    /// The path with every symbolic link, `.` and `..` resolved, as the
    /// file system sees it; nil when it does not exist. Tools compare these,
    /// never path text: links can make two texts one file, and one text lead
    /// anywhere.
    public static func real(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether the real path `path` is `dir` or lies inside it.
    public static func isInside(_ path: String, _ dir: String) -> Bool {
        path == dir || path.hasPrefix(dir == "/" ? "/" : dir + "/")
    }

    /// What kind of file a path names, following links.
    public enum Kind: Sendable, Equatable {
        case regular, directory, other, missing
    }

    public static func kind(_ path: String) -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Whether `path` itself is a symbolic link.
    public static func isLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK
    }
}
