import Foundation

/// What every scenario needs: the programs compared, how many runs, and where scratch files go.
struct BenchContext: Sendable {
    /// The release build of eeops.
    var eeops: String
    /// Python of the virtual environment that holds the official client (earthengine-api).
    var python: String
    /// The official `earthengine` CLI.
    var earthengine: String
    /// Runs of each fast measurement, and of the slow official-client ones.
    var runs: Int
    var slowRuns: Int
    /// A small, quick run (CI smoke): smaller projects and shorter windows, same code paths.
    var quick: Bool
    var scratch: String

    /// A clean environment for child processes: no credentials of the machine's user, UTF-8, a terminal type.
    var baseEnvironment: [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": scratch + "/home", "XDG_STATE_HOME": scratch + "/state", "LANG": "C.UTF-8", "TERM": "xterm-256color"]
    }

    /// Picks the full-size or the quick value.
    func size(_ full: Int, quick small: Int) -> Int { quick ? small : full }
    func seconds(_ full: Double, quick small: Double) -> Double { quick ? small : full }

    /// Benchmarks/python/NAME.
    func pythonScript(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("python/\(name)").path
    }
}

/// One scenario's part of the report: its prose and table, and the targets it checks.
struct ScenarioReport: Sendable {
    struct Target: Sendable {
        var scenario: String
        var target: String
        var measured: String
        var met: Bool
    }

    var title: String
    var body: String
    var targets: [Target] = []
}

/// Markdown table helper.
func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
    var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
    lines += rows.map { "| " + $0.joined(separator: " | ") + " |" }
    return lines.joined(separator: "\n")
}
