// swift-tools-version:6.0
import PackageDescription

// Switchyard: sourcing, placement and reaction for a mixed GPU/TPU fleet.
// Dependency direction is inward only: Model <- Catalog, Solver <- Planner <- CLI.
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
        .library(name: "SwitchyardTesting", targets: ["SwitchyardTesting"]),
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
        .target(name: "Scheduler", dependencies: ["SwitchyardModel", "SwitchyardCatalog", "Solver"]),
        .target(name: "SwitchyardTesting", dependencies: ["SwitchyardModel", "SwitchyardCatalog", "SwitchyardStore"]),
        .target(
            name: "SwitchyardStore",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "Planner",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "Planner", "SwitchyardStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "Solver", "Planner", "Scheduler",
                "SwitchyardStore", "SwitchyardServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SwitchyardModelTests", dependencies: ["SwitchyardModel", "SwitchyardTesting"]),
        .testTarget(
            name: "SwitchyardCatalogTests",
            dependencies: ["SwitchyardCatalog", "SwitchyardTesting"]
        ),
        .testTarget(name: "SolverTests", dependencies: ["Solver"]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "SwitchyardTesting"]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler"]),
        .testTarget(name: "SwitchyardStoreTests", dependencies: ["SwitchyardStore", "SwitchyardTesting"]),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardServer", "SwitchyardStore", "SwitchyardTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "SwitchyardCLITests",
            dependencies: ["SwitchyardTesting", "SwitchyardStore"],
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
                "SwitchyardModel", "SwitchyardCatalog", "Solver", "Planner", "Scheduler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        )
    )
}
