import Foundation
import LinjaBase
import LinjaSyntax

/// One directory of rule files, parsed.
public struct PolicyUnit: Sendable {
    /// The directory, as a normalised path.
    public var directory: String
    public var files: [PolicyFile]

    package init(directory: String, files: [PolicyFile]) {
        self.directory = directory
        self.files = files
    }
}

extension PolicyUnit {
    /// A fingerprint of the rule text: SHA-256 over every file's path (relative
    /// to the rules tree) and bytes, in a fixed order.
    public static func fingerprint(_ units: [PolicyUnit]) -> String {
        var h = SHA256Hasher()
        let all = units.flatMap { u in u.files.map { ($0.file.path, $0.file.bytes) } }.sorted { $0.0 < $1.0 }
        for (path, bytes) in all {
            let name = (path as NSString).lastPathComponent
            let dir = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
            h.update(Array("\(dir)/\(name)\n\(bytes.count)\n".utf8))
            h.update(bytes)
        }
        return SHA256.hexString(h.finalize())
    }
}
