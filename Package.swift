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
        .target(name: "SwitchyardTesting", dependencies: ["SwitchyardModel", "SwitchyardCatalog"]),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardModel", "SwitchyardCatalog", "Solver", "Planner", "Scheduler",
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
        .testTarget(
            name: "SwitchyardCLITests",
            dependencies: ["SwitchyardTesting"],
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
