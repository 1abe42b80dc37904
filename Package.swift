// swift-tools-version:6.0
import PackageDescription

// Switchyard: sourcing, placement and reaction for a mixed GPU/TPU fleet.
// Layers, each depending only on those before it:
//   Model -> Catalog -> Solver -> Planner / Scheduler -> Simulator -> Store -> Worker -> Server -> CLI
// (Export reads plans with Model and Catalog only; the server and the CLI serve it.)
// The store keeps plans without linking the solver: plans are SwitchyardModel values, and running
// a plan job (the solver) is the worker's.
// The simulator and the scheduler are compiled with optimisation in debug builds too: unoptimised,
// a simulation runs about 11 times slower (the example's plan simulated: 4.5 s against 0.4 s),
// which the closed-loop and Gavel-trace tests and `switchyard simulate` in `make demo` feel.
// Breakpoints inside them are less exact; the rest of the package keeps debug code.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["switchyard"]),
        .library(name: "SwitchyardModel", targets: ["SwitchyardModel"]),
        .library(name: "SwitchyardCatalog", targets: ["SwitchyardCatalog"]),
        .library(name: "Solver", targets: ["Solver"]),
        .library(name: "Planner", targets: ["Planner"]),
        .library(name: "Scheduler", targets: ["Scheduler"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .library(name: "Risk", targets: ["Risk"]),
        .library(name: "Export", targets: ["Export"]),
        .library(name: "SwitchyardStore", targets: ["SwitchyardStore"]),
        .library(name: "SwitchyardWorker", targets: ["SwitchyardWorker"]),
        .library(name: "SwitchyardServer", targets: ["SwitchyardServer"]),
        .library(name: "SwitchyardTesting", targets: ["SwitchyardTesting"]),
        .library(name: "SwitchyardServiceTesting", targets: ["SwitchyardServiceTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/vapor/sql-kit", exact: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", exact: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", exact: "2.17.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "SwitchyardModel"),
        .target(
            name: "SwitchyardCatalog",
            dependencies: ["SwitchyardModel", .product(name: "Yams", package: "Yams")]
        ),
        .systemLibrary(
            name: "CCoinOR",
            pkgConfig: "cbc",
            providers: [.apt(["coinor-libcbc-dev"]), .brew(["cbc"])]
        ),
        .target(name: "Solver", dependencies: ["CCoinOR"]),
        .target(name: "Planner", dependencies: ["SwitchyardModel", "SwitchyardCatalog", "Solver"]),
        .target(
            name: "Scheduler", dependencies: ["SwitchyardModel", "SwitchyardCatalog", "Solver"],
            swiftSettings: optimizedInDebug),
        .target(
            name: "Simulator",
            dependencies: ["SwitchyardModel", "SwitchyardCatalog", "Scheduler"],
            swiftSettings: optimizedInDebug
        ),
        // Supply risk: sampled futures, the product's reaction to each, and what they add up to.
        .target(name: "Risk", dependencies: ["SwitchyardModel", "SwitchyardCatalog", "Planner", "Simulator"]),
        // Plans handed to where jobs run: Kueue manifests and SkyPilot tasks (reads plans only).
        .target(name: "Export", dependencies: ["SwitchyardModel", "SwitchyardCatalog"]),
        .target(
            name: "SwitchyardStore",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "SwitchyardWorker",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "Solver", "Planner", "Risk", "SwitchyardStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "SwitchyardStore", "SwitchyardWorker", "Export", "Risk",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "Solver", "Planner", "Scheduler", "Simulator", "Risk", "Export",
                "SwitchyardStore", "SwitchyardServer", "SwitchyardWorker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Fixtures for the model, catalog, planner and scheduler tests: scenarios, builders and
        // running the built CLI. Links no database and no solver.
        .target(name: "SwitchyardTesting", dependencies: ["SwitchyardModel", "SwitchyardCatalog"]),
        // Fixtures for the service's tests: fresh databases on each backend and the example's
        // plan, solved once per test process (the planner's and the exports' tests share it).
        .target(
            name: "SwitchyardServiceTesting",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "Solver", "Planner", "SwitchyardStore", "SwitchyardWorker",
                "SwitchyardTesting",
            ]
        ),
        .testTarget(name: "SwitchyardModelTests", dependencies: ["SwitchyardModel", "SwitchyardTesting"]),
        .testTarget(
            name: "SwitchyardCatalogTests",
            dependencies: ["SwitchyardCatalog", "SwitchyardModel", "SwitchyardTesting"]
        ),
        .testTarget(name: "SolverTests", dependencies: ["Solver"]),
        .testTarget(
            name: "PlannerTests",
            dependencies: [
                "Planner", "Solver", "SwitchyardCatalog", "SwitchyardModel", "SwitchyardServiceTesting",
                "SwitchyardTesting",
            ]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "Solver", "SwitchyardModel"]),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "Simulator", "Scheduler", "Planner", "Solver", "SwitchyardCatalog", "SwitchyardModel",
                "SwitchyardTesting",
            ]),
        .testTarget(
            name: "ExportTests",
            dependencies: [
                "Export", "Planner", "Solver", "SwitchyardCatalog", "SwitchyardModel", "SwitchyardServiceTesting",
                "SwitchyardTesting",
            ]),
        .testTarget(
            name: "RiskTests",
            dependencies: [
                "Risk", "Planner", "Simulator", "Solver", "SwitchyardCatalog", "SwitchyardModel", "SwitchyardTesting",
            ]),
        .testTarget(
            name: "SwitchyardStoreTests",
            dependencies: [
                "SwitchyardStore", "SwitchyardServiceTesting", "SwitchyardTesting", "SwitchyardModel",
                "SwitchyardCatalog", "SwitchyardWorker", "Planner", .product(name: "SQLKit", package: "sql-kit"),
            ]
        ),
        .testTarget(
            name: "SwitchyardWorkerTests",
            dependencies: [
                "SwitchyardWorker", "SwitchyardStore", "SwitchyardServiceTesting", "SwitchyardTesting", "Planner",
                "SwitchyardModel", "SwitchyardCatalog",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardServer", "SwitchyardStore", "SwitchyardWorker", "SwitchyardServiceTesting",
                "SwitchyardTesting", "SwitchyardModel", "SwitchyardCatalog", "Planner",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "SwitchyardCLITests",
            dependencies: ["SwitchyardTesting", "SwitchyardServiceTesting", "SwitchyardStore", "SwitchyardCatalog"],
            exclude: ["Snapshots"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Benchmarks build only when asked for (`make bench` sets SWITCHYARD_BENCHMARKS=1), so
// `swift build`, `swift test` and CI do not pay for them.
if Context.environment["SWITCHYARD_BENCHMARKS"] == "1" {
    package.products.append(.executable(name: "switchyard-bench", targets: ["switchyard-bench"]))
    package.targets.append(
        .executableTarget(
            name: "switchyard-bench",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "Solver", "Planner", "Scheduler", "Simulator", "Risk",
                "SwitchyardStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        )
    )
}
