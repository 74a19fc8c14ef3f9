import LinjaBase
import LinjaSyntax
import LinjaModel

/// Checking a policy again with more text, without reading its files again:
/// what the REPL needs to add its declarations and the expression being
/// evaluated to the policy as it was loaded (not as the files are on disk
/// by now, which `:reload` alone picks up).
extension Policy {
    /// Checks parsed rule files (a policy's own directory last, after its
    /// imports) and builds the policy. `loaderDiagnostics` are what reading
    /// the files found (unreadable files, imports), reported with the rest.
    public static func check(directory: String, root: String, units: [PolicyUnit],
                             loaderDiagnostics: [Diagnostic]) -> Policy {
        Checker(directory: directory, root: root, units: units, initialDiagnostics: loaderDiagnostics).check()
    }

    /// This policy checked again with `extraFiles` added to its own
    /// directory, from the text it was loaded from. Imports in the extra
    /// files are not followed.
    ///
    /// The fingerprint is this policy's combined with the extra files'
    /// text (hashing every rule file again on each REPL input would cost
    /// more than checking them).
    public func adding(_ extraFiles: [SourceFile]) -> Policy {
        var rechecked = units
        let added = extraFiles.map { Parser.parse($0) }
        if rechecked.isEmpty {
            rechecked.append(PolicyUnit(directory: directory, files: added))
        } else {
            rechecked[rechecked.count - 1].files += added
        }
        // The loader's own findings (unreadable files, imports) are not
        // found again by the checker: carry them over.
        let loaderCodes: Set<DiagnosticCode> = [.unreadable, .importNotFound, .importOutsideRoot, .importCycle]
        let carried = diagnostics.filter { loaderCodes.contains($0.code) }
        var hasher = SHA256Hasher()
        hasher.update(Array(fingerprint.utf8))
        for file in extraFiles {
            hasher.update(Array("\n\(file.path)\n\(file.bytes.count)\n".utf8))
            hasher.update(file.bytes)
        }
        let combined = SHA256.hexString(hasher.finalize())
        return Checker(directory: directory, root: root, units: rechecked, initialDiagnostics: carried)
            .check(fingerprint: combined)
    }

    /// A policy made of `files` alone, with no directory: the REPL's
    /// session before (or without) a policy is loaded.
    public static func standalone(_ files: [SourceFile] = []) -> Policy {
        let unit = PolicyUnit(directory: "", files: files.map { Parser.parse($0) })
        return Checker(directory: "", root: "", units: [unit], initialDiagnostics: []).check()
    }
}
