// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "harden",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "harden", targets: ["harden"]),
        .library(name: "HardenKit", targets: ["HardenKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "YAMLSyntax", dependencies: ["CYAML"]),
        .target(name: "CHardenSys"),
        .target(
            name: "HardenKit",
            dependencies: ["YAMLSyntax", "CHardenSys", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Resources/Audit/gen-audit-tables.sh"]
        ),
        .executableTarget(
            name: "harden",
            dependencies: [
                "HardenKit",
                "YAMLSyntax",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "YAMLSyntaxTests", dependencies: ["YAMLSyntax"]),
        .testTarget(name: "HardenKitTests", dependencies: ["HardenKit", "YAMLSyntax"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["harden", "CHardenSys", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ]
)
