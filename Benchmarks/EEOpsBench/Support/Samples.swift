import Foundation

/// Repeated measurements of one quantity, summarised as median and spread (never one run alone).
struct Samples: Sendable {
    private(set) var values: [Double] = []

    init(_ values: [Double] = []) { self.values = values }

    mutating func add(_ value: Double) { values.append(value) }

    var count: Int { values.count }
    var median: Double { percentile(50) }
    var minimum: Double { values.min() ?? .nan }
    var maximum: Double { values.max() ?? .nan }

    /// Nearest-rank percentile (p in 0...100).
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        if p == 50, sorted.count % 2 == 0 { return (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}

/// Formatting of figures for the report.
enum Figure {
    static func seconds(_ value: Double) -> String {
        if value.isNaN { return "–" }
        if value >= 10 { return String(format: "%.1f s", value) }
        if value >= 1 { return String(format: "%.2f s", value) }
        if value >= 0.01 { return String(format: "%.0f ms", value * 1000) }
        if value >= 0.001 { return String(format: "%.2f ms", value * 1000) }
        return String(format: "%.0f µs", value * 1_000_000)
    }

    /// "median (min–max, n runs)".
    static func summary(_ samples: Samples) -> String {
        "\(seconds(samples.median)) (\(seconds(samples.minimum))–\(seconds(samples.maximum)), n=\(samples.count))"
    }

    static func ratio(_ value: Double) -> String {
        value.isNaN || value.isInfinite ? "–" : String(format: "%.2f×", value)
    }

    static func megabytes(_ kibibytes: Double) -> String { String(format: "%.1f MB", kibibytes * 1024 / 1_000_000) }
    static func percent(_ value: Double) -> String { String(format: "%.2f %%", value * 100) }
    static func number(_ value: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

    static func verdict(_ met: Bool) -> String { met ? "met" : "**missed**" }
}

/// Monotonic seconds.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
