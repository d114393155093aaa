/// The texts made of the build info that `scripts/write-build-info.sh` writes into this target at build time.
extension BuildInfo {
    /// What `eeops --version` prints: the version and the commit built.
    static var versionLine: String { "eeops \(version) (commit \(commit))" }
    /// The User-Agent of every request eeops sends.
    static var userAgent: String { "eeops/\(version)" }
}
