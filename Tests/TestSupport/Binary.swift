import Foundation

/// Runs the built `eeops` executable, as a user would, and captures what it prints.
public struct Binary {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// `EEOPS_BINARY` (make test sets the release build), else `eeops` next to the test bundle.
    public static var path: String {
        if let path = ProcessInfo.processInfo.environment["EEOPS_BINARY"] { return path }
        let bundle = Bundle.main.bundleURL
        for directory in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("eeops").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        // From the source tree: Tests/TestSupport/Binary.swift → .build/debug/eeops
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/eeops").path
    }

    /// Runs eeops with `arguments` and an environment that holds only `environment` (plus PATH/HOME),
    /// standard input closed; interrupts it after `timeout` seconds. The wait happens on a thread of its
    /// own, so that an in-process emulator keeps the concurrency pool's threads.
    public static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory() + "eeops-cli-home-\(UUID().uuidString)", "LANG": "C.UTF-8"]
        // A binary built with a sanitizer takes its options from the test run's environment (make test-asan-release).
        for (key, value) in ProcessInfo.processInfo.environment where key.hasPrefix("ASAN_") || key.hasPrefix("LSAN_") || key.hasPrefix("UBSAN_") {
            env[key] = value
        }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return await withCheckedContinuation { continuation in
            let waiter = Thread {
                // SIGINT at the timeout, as a user's Ctrl-C; SIGKILL 20 s later, so that a binary that ignores the
                // interrupt fails its test instead of hanging the suite.
                let killer = DispatchWorkItem { if process.isRunning { process.interrupt() } }
                let lastResort = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout + 20, execute: lastResort)
                // Read both pipes to the end before waiting, so that a full pipe cannot block the child.
                nonisolated(unsafe) var errData = Data()
                let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
                errReader.start()
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                while errReader.isExecuting || !errReader.isFinished { Thread.sleep(forTimeInterval: 0.005) }
                killer.cancel()
                lastResort.cancel()
                continuation.resume(returning: Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                                                      stderr: String(decoding: errData, as: UTF8.self)))
            }
            waiter.start()
        }
    }
}
