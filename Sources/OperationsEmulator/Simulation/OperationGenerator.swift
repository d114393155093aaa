import EarthEngineOperations
import Foundation

/// Makes realistic operations from a seed: all seven task types, every state, retried attempts, and
/// descriptions as real users write them, in several languages and scripts.
struct OperationGenerator {
    static let types = ["EXPORT_IMAGE", "EXPORT_FEATURES", "EXPORT_VIDEO", "EXPORT_TILES", "EXPORT_CLASSIFIER", "INGEST_IMAGE", "INGEST_TABLE"]
    private static let typeWeights = [30, 22, 4, 6, 3, 25, 10]

    private static let descriptions = [
        "export_landsat8_composite_%d", "sentinel2_ndvi_monthly_2024_%02d", "MODIS_LST_tile_%d", "forest_loss_hansen_v1_11_%d",
        "crop_classification_rf_%d", "flood_extent_s1_%d", "dem_srtm_30m_region_%d", "water_mask_jrc_%d",
        "ingest_field_boundaries_%d", "ingest_planet_scene_%d", "timelapse_video_%d", "urban_heat_island_%d",
        "森林被覆変化_%d", "土地利用分類_関東_%d", "水稻种植面积_%d", "黄河流域_NDVI_%d",
        "토지피복_분류_%d", "서울_열섬_분석_%d", "भूमि_उपयोग_वर्गीकरण_%d", "मानसून_वर्षा_%d",
        "Phân loại lúa Đồng bằng sông Cửu Long %d", "Bản đồ rừng ngập mặn %d", "🌊 flood map — run %d", "🔥 burn severity %d 🌲",
        "déforestation_amazonie_%d", "Überschwemmung_Rhein_%d", "cobertura_del_suelo_%d", "تغير_الغطاء_النباتي_%d",
    ]

    private static let stagesByType: [String: [SimulatedOperation.Stage]] = [
        "EXPORT_IMAGE": ["Create Tiles", "Compute Tiles", "Write Output"],
        "EXPORT_FEATURES": ["Compute Features", "Write Output"],
        "EXPORT_VIDEO": ["Render Frames", "Encode Video"],
        "EXPORT_TILES": ["Create Tiles", "Write Tiles"],
        "EXPORT_CLASSIFIER": ["Train", "Serialize"],
        "INGEST_IMAGE": ["Copy", "Pyramid", "Register"],
        "INGEST_TABLE": ["Parse", "Register"],
    ].reduce(into: [:]) { table, entry in table[entry.key] = SimulatedOperation.Stage.named(entry.value, type: entry.key) }

    /// The errors failed operations report, as Earth Engine words them; `{n}` and `{id}` stand for a number and
    /// an id that differ from one operation to the next (``failureMessage(_:id:)``).
    private static let failures = [
        "Computation timed out.", "User memory limit exceeded.", "Too many concurrent aggregations.",
        "Image.clip: Parameter 'geometry' is required.", "Collection query aborted after accumulating over {n} elements.",
        "Export too large: specified {n} pixels (max: 100000000).", "Asset 'projects/demo/assets/aoi_{n}' not found.",
        "Error in map(ID={id}): Image.select: Pattern 'B{n}' did not match any bands.",
    ]

    /// `template` with its placeholders filled from the operation's id, so that the same seed gives the same
    /// messages without drawing more random numbers (which would change every operation generated after it).
    static func failureMessage(_ template: String, id: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return template
            .replacingOccurrences(of: "{n}", with: String(hash % 9000 + 1000))
            .replacingOccurrences(of: "{id}", with: String(hash >> 16, radix: 16))
    }

    var random: SeededRandom
    let cancelUnimplementedFraction: Double

    /// A project of `count` operations as seen at `now`: mostly finished history over ten days, and
    /// `activeFraction` of them PENDING or RUNNING, which finish over the next minutes; `placement` says when
    /// those were created.
    mutating func project(count: Int, activeFraction: Double, placement: EmulatorConfiguration.ActivePlacement = .recent,
                          now: Date) -> [SimulatedOperation] {
        (0..<count).map { index in
            if random.chance(activeFraction) {
                return placement == .spread ? queuedLongAgo(index: index, now: now) : active(index: index, now: now)
            }
            return finished(index: index, now: now)
        }
    }

    /// A newly submitted operation, PENDING at `now`.
    mutating func submitted(index: Int, now: Date) -> SimulatedOperation {
        make(index: index, createTime: now, startIn: 2 + random.unit() * 20, runFor: 30 + random.unit() * 240)
    }

    private mutating func active(index: Int, now: Date) -> SimulatedOperation {
        if random.chance(0.3) { // waiting in the queue
            let created = now.addingTimeInterval(-random.unit() * 600)
            return make(index: index, createTime: created, startIn: now.timeIntervalSince(created) + 5 + random.unit() * 120, runFor: 60 + random.unit() * 600)
        }
        let started = now.addingTimeInterval(-random.unit() * 900)
        let created = started.addingTimeInterval(-5 - random.unit() * 300)
        let remaining = 20 + random.unit() * 900
        return make(index: index, createTime: created, startIn: started.timeIntervalSince(created), runFor: now.timeIntervalSince(started) + remaining)
    }

    /// An operation created up to ten days ago that is still PENDING (in a queue days deep) or RUNNING (started
    /// lately), and finishes over the next minutes.
    private mutating func queuedLongAgo(index: Int, now: Date) -> SimulatedOperation {
        let created = now.addingTimeInterval(-60 - random.unit() * 10 * 86_400)
        let waited = now.timeIntervalSince(created)
        let startIn = random.chance(0.5) ? waited + 5 + random.unit() * 600 : waited - random.unit() * min(waited, 900)
        let runFor = max(60, now.timeIntervalSince(created.addingTimeInterval(startIn))) + 20 + random.unit() * 900
        return make(index: index, createTime: created, startIn: startIn, runFor: runFor)
    }

    private mutating func finished(index: Int, now: Date) -> SimulatedOperation {
        let created = now.addingTimeInterval(-1200 - random.unit() * 10 * 86_400)
        let runFor = 30 + random.unit() * min(7200, now.timeIntervalSince(created) - 1000)
        var operation = make(index: index, createTime: created, startIn: 2 + random.unit() * 60, runFor: runFor)
        if random.chance(0.05) { // cancelled by its owner, long ago
            operation.cancelRequestedAt = operation.startTime.addingTimeInterval(runFor * random.unit() * 0.8)
            operation.cancelResolvesAt = operation.cancelRequestedAt?.addingTimeInterval(3)
            operation.cancelResolution = .cancelled
        }
        return operation
    }

    private mutating func make(index: Int, createTime: Date, startIn: TimeInterval, runFor: TimeInterval) -> SimulatedOperation {
        let type = weightedType()
        let template = random.pick(Self.descriptions)
        let description = template.replacingOccurrences(of: "%02d", with: String(format: "%02d", index % 12 + 1))
            .replacingOccurrences(of: "%d", with: String(index))
        let startTime = createTime.addingTimeInterval(startIn)
        let endTime = startTime.addingTimeInterval(runFor)
        // One task in ten was retried: its earlier attempts failed part-way through.
        var attemptStarts = [startTime]
        if random.chance(0.1) {
            let retries = 1 + Int(random.next() % 2)
            let slice = runFor / Double(retries + 2)
            for retry in 1...retries { attemptStarts.append(startTime.addingTimeInterval(slice * Double(retry))) }
        }
        let failure: String? = random.chance(0.1) ? random.pick(Self.failures) : nil
        let id = random.operationID()
        let outcome: SimulatedOperation.Outcome = failure.map { .failed(Self.failureMessage($0, id: id)) } ?? .succeeded
        let isExport = type.hasPrefix("EXPORT")
        let destination = switch type {
        case "EXPORT_IMAGE", "EXPORT_TILES": "https://console.cloud.google.com/storage/browser/demo-bucket/\(id.lowercased())"
        case "EXPORT_FEATURES", "EXPORT_VIDEO": "https://drive.google.com/#folders/\(id.prefix(12))"
        default: "https://code.earthengine.google.com/?asset=projects/demo-project/assets/\(id.lowercased())"
        }
        let notifications = random.chance(0.05)
            ? [OperationNotification(severity: "WARNING", topic: "Export", detail: "Some tiles were skipped because they had no valid pixels.")]
            : []
        return SimulatedOperation(
            id: id, type: type, description: description, priority: random.chance(0.1) ? 200 : 100,
            createTime: createTime, startTime: startTime, attemptStarts: attemptStarts, endTime: endTime, outcome: outcome,
            eecuPerSecond: 0.5 + random.unit() * 40,
            scriptUri: isExport && random.chance(0.6) ? "https://code.earthengine.google.com/\(id.prefix(32).lowercased())" : nil,
            destinationUris: [destination], notifications: notifications,
            stages: Self.stagesByType[type] ?? [], totalWorkUnits: 1 + Int(random.next() % 400),
            cancelBehavior: random.chance(cancelUnimplementedFraction) ? .unimplemented : .random
        )
    }

    private mutating func weightedType() -> String {
        let total = Self.typeWeights.reduce(0, +)
        var draw = Int(random.next() % UInt64(total))
        for (type, weight) in zip(Self.types, Self.typeWeights) {
            if draw < weight { return type }
            draw -= weight
        }
        return Self.types[0]
    }
}
