// swift-tools-version:6.2
// The online registration system for the provincial adult higher-education entrance exam (成人高考).
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The six services share one shape: an executable (`Services/<Name>/App`) whose `@main` runs
/// the shared runtime with the service's definition, and a library (`<Name>Service`, the rest of
/// `Services/<Name>`: one folder per capability) that defines its routes and worker role, so
/// tests build its routes against real servers without starting a process.
let serviceLibraries: KeyValuePairs<String, (dependencies: [Target.Dependency], exclude: [String], resources: [Resource])> = [
    "Registration": (["Access", "Payments"], ["App", "Migrations", "openapi.json"], []),
    // On-site confirmation asks the registration's own rules whether a submitted form still passes.
    "Confirmation": (["Access", "Photos", "RegistrationService"], ["App", "Migrations", "openapi.json"], []),
    "PaymentCallback": (["Access", "Payments"], ["App", "Migrations", "openapi.json"], []),
    "Review": (["Access", "Photos"], ["App", "Migrations", "openapi.json"], []),
    // The numbering's seeded order is an HMAC (swift-crypto).
    "Arrangement": (["Access", .product(name: "Crypto", package: "swift-crypto")], ["App", "Migrations", "openapi.json"], []),
    // Renders through CPDFCanvas (Pango and cairo); the QR codes are signed with Ed25519 (swift-crypto).
    "DocumentGeneration": (["Access", "Photos", "CPDFCanvas", .product(name: "Crypto", package: "swift-crypto"), .product(name: "ZIPFoundation", package: "ZIPFoundation")], ["App", "Migrations", "openapi.json"], [.copy("Layouts")]),
]

let serviceDependencies: [Target.Dependency] = [
    "ServiceRuntime", "Settings", "Storage", "Redis", "Messaging", "Contracts", "CandidateLifecycle",
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "Logging", package: "swift-log"),
]

let serviceTargets: [Target] = serviceLibraries.flatMap { name, library -> [Target] in
    return [
        .executableTarget(
            name: name, dependencies: [.target(name: "\(name)Service"), "ServiceRuntime"], path: "Services/\(name)/App",
            swiftSettings: swiftSettings),
        .target(
            name: "\(name)Service",
            dependencies: serviceDependencies + library.dependencies + [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/\(name)", exclude: library.exclude, resources: library.resources, swiftSettings: swiftSettings),
    ]
}

let package = Package(
    name: "exam-registration",
    platforms: [.macOS(.v15)],
    products: serviceLibraries.map { .executable(name: $0.key, targets: [$0.key]) } + [
        .executable(name: "examctl", targets: ["examctl"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["CommandLineArguments"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV.git", from: "0.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
    ],
    targets: serviceTargets + [
        // C libraries from Debian, wrapped once each; the Swift owners live in Redis and Messaging.
        // (hiredis without pkg-config: its .pc adds -D_FILE_OFFSET_BITS, which SwiftPM refuses with a warning.)
        .systemLibrary(name: "CHiredis", path: "Shared/CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CArgon2", path: "Shared/CArgon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CGD", path: "Shared/CGD", providers: [.apt(["libgd-dev"])]),
        // The document canvas: a few C functions over Pango, cairo and libqrencode, so that Swift
        // never imports GLib's headers. Include paths by hand: pangocairo's pkg-config adds
        // -pthread, which SwiftPM refuses with a warning on every build.
        .target(
            name: "CPDFCanvas", path: "Shared/CPDFCanvas",
            cSettings: [
                .unsafeFlags(
                    [
                        "/usr/include/pango-1.0", "/usr/include/glib-2.0", "/usr/lib/x86_64-linux-gnu/glib-2.0/include",
                        "/usr/lib/aarch64-linux-gnu/glib-2.0/include", "/usr/include/harfbuzz", "/usr/include/freetype2", "/usr/include/cairo",
                        "/usr/include/fribidi", "/usr/include/pixman-1", "/usr/include/libpng16",
                    ].map { "-I\($0)" })
            ],
            linkerSettings: [
                .linkedLibrary("pangocairo-1.0"), .linkedLibrary("pango-1.0"), .linkedLibrary("gobject-2.0"), .linkedLibrary("glib-2.0"),
                .linkedLibrary("cairo"), .linkedLibrary("qrencode"),
            ]),
        .systemLibrary(name: "CRabbitMQ", path: "Shared/CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),

        .target(
            name: "Settings",
            dependencies: [
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            path: "Shared/Settings",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Storage",
            dependencies: [
                "Settings",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
            ],
            path: "Shared/Storage",
            exclude: ["Migrations", "Reference"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Redis",
            dependencies: [
                "CHiredis", "Settings",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Redis",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "CRabbitMQ", "Settings", "Contracts",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Shared/Messaging",
            exclude: ["Migrations"],
            swiftSettings: swiftSettings
        ),
        // Who may do what: accounts' passwords and sessions, staff scope, rate limits, audit,
        // personal data at rest.
        .target(
            name: "Access",
            dependencies: [
                "Redis", "Settings", "ServiceRuntime", "CArgon2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Access",
            exclude: ["Migrations"],
            swiftSettings: swiftSettings
        ),
        // The candidate's lifecycle: the one place a candidate's status changes.
        .target(
            name: "CandidateLifecycle",
            dependencies: [
                "Access", "Messaging", "Contracts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/CandidateLifecycle",
            exclude: ["Migrations"],
            swiftSettings: swiftSettings
        ),
        // Payment providers' notifications verified (Alipay RSA2, WeChat Pay v3), their settings.
        .target(
            name: "Payments",
            dependencies: [
                "Settings", "ServiceRuntime",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Shared/Payments",
            swiftSettings: swiftSettings
        ),
        // Uploaded images (candidates' photos, document scans) decoded, checked and stored as JPEG.
        .target(
            name: "Photos",
            dependencies: ["CGD", .product(name: "NIOPosix", package: "swift-nio")],
            path: "Shared/Photos",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Contracts",
            path: "Shared/Contracts",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceRuntime",
            dependencies: [
                "Settings", "Storage", "Redis", "Messaging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftCSV", package: "SwiftCSV"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Shared/ServiceRuntime",
            swiftSettings: swiftSettings
        ),
        // Operations staff's command: migrations, reference-data imports.
        .executableTarget(
            name: "examctl",
            dependencies: [
                "Settings", "Storage", "Messaging", "Access", "ReviewService",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "ops/examctl",
            swiftSettings: swiftSettings
        ),

        // ops/bench messaging
        .executableTarget(
            name: "MessagingBenchmark",
            dependencies: [
                "Settings", "Storage", "Messaging", "Contracts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/MessagingBenchmark",
            swiftSettings: swiftSettings
        ),
        // A process the messaging tests start and kill (the real consumer runtime and relay).
        .executableTarget(
            name: "MessagingProbe",
            dependencies: [
                "Settings", "Storage", "Messaging",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support/MessagingProbe",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "UnitTests",
            dependencies: [
                "Settings", "Storage", "Contracts", "Access", "ServiceRuntime", "RegistrationService", "ConfirmationService", "ReviewService",
                "ArrangementService", "DocumentGenerationService", "Photos", "CGD", .product(name: "Crypto", package: "swift-crypto"),
                "Payments", .product(name: "_CryptoExtras", package: "swift-crypto"),
                "Messaging", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/UnitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Settings", "Storage", "Redis", "Messaging", "ServiceRuntime", "Contracts", "Access", "CandidateLifecycle",
                "RegistrationService", "ReviewService", "ConfirmationService", "PaymentCallbackService", "ArrangementService", "DocumentGenerationService",
                "Photos", "CGD", "Payments",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/IntegrationTests",
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
