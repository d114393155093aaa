// swift-tools-version:6.0
import PackageDescription

/// Types that hold a `Span` (the JSON reader, the list-page scanner) declare how long they live with
/// `@_lifetime`, as swift-nio does.
let spanTypes: [SwiftSetting] = [.enableExperimentalFeature("Lifetimes")]

let package = Package(
    name: "eeops",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "eeops", targets: ["eeops"]),
        .library(name: "EarthEngineOperations", targets: ["EarthEngineOperations"]),
        .library(name: "OperationsEmulator", targets: ["OperationsEmulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.4.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    ],
    targets: [
        .target(
            name: "EarthEngineOperations",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: spanTypes,
            // ICU, as the toolchain's Foundation ships it, for regular expressions (Query/RegularExpression.swift).
            linkerSettings: [.linkedLibrary("_FoundationICU", .when(platforms: [.linux]))]
        ),
        // The local history of operations (SQLite through GRDB): `eeops report`, the TUI's rows before the server answers.
        .target(
            name: "OperationsHistory",
            dependencies: ["EarthEngineOperations", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "OperationsPresentation",
            dependencies: ["EarthEngineOperations"]
        ),
        .systemLibrary(
            name: "CNcurses",
            providers: [.apt(["libncurses-dev"])]
        ),
        .target(name: "CProcessSupport"),
        .target(
            name: "OperationsTUI",
            dependencies: ["EarthEngineOperations", "OperationsPresentation", "CNcurses", "CProcessSupport"],
            swiftSettings: spanTypes
        ),
        // The config file (config.yaml, through Yams): global settings, the theme.
        .target(
            name: "OperationsConfig",
            dependencies: ["EarthEngineOperations", "OperationsTUI", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "OperationsEmulator",
            dependencies: [
                "EarthEngineOperations",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // Compiled into the binary (PackageResources), so that eeops stays one file with nothing beside it.
            resources: [.embedInCode("Resources/discovery-v1.json")]
        ),
        .executableTarget(
            name: "eeops",
            dependencies: [
                "EarthEngineOperations",
                "OperationsEmulator",
                "OperationsConfig",
                "OperationsHistory",
                "OperationsPresentation",
                "OperationsTUI",
                "CProcessSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            plugins: ["BuildInfo"]
        ),
        // Writes the version and the commit built into the eeops target (eeops --version).
        .plugin(name: "BuildInfo", capability: .buildTool()),
        .executableTarget(
            name: "eeops-bench",
            dependencies: [
                "EarthEngineOperations", "OperationsEmulator", "OperationsPresentation", "OperationsTUI", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/EEOpsBench"
        ),
        .testTarget(
            name: "EarthEngineOperationsTests",
            dependencies: ["EarthEngineOperations", "OperationsHistory", "OperationsPresentation", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "EarthEngineOperations", "OperationsEmulator", "OperationsPresentation", "OperationsTUI", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "EarthEngineOperations", "OperationsPresentation", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "TUITests",
            dependencies: ["EarthEngineOperations", "OperationsPresentation", "OperationsTUI", "OperationsEmulator", "TestSupport"],
            // Read from the source tree by ViewSnapshotTests, not bundled.
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "ConfigTests",
            dependencies: ["EarthEngineOperations", "OperationsConfig", "OperationsTUI"]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["EarthEngineOperations", "OperationsEmulator", "TestSupport"]
        ),
    ]
)
