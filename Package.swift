// swift-tools-version: 6.1
// The package graph is the architecture: each target lists only the layers it may use
// (docs/architecture.md, "Targets"). Engines see the logical SDK, never Core.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "coffer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "coffer", targets: ["coffer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.10.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.4.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.10.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.0"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
    ],
    targets: [
        // JSON value tree with a strict, fast parser and a deterministic (sorted-key) writer.
        .target(name: "CofferJSON", swiftSettings: swiftSettings),
        // HCL (v1 subset, as Vault's config and policies use it) and JSON into one tree.
        .target(name: "CofferHCL", dependencies: ["CofferJSON"], swiftSettings: swiftSettings),
        // Ordered key-value storage: the backend protocol, in-memory and SQLite (GRDB).
        .target(
            name: "CofferStorage",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The encrypting barrier, keyring, Shamir secret sharing, unseal progress.
        .target(
            name: "CofferBarrier",
            dependencies: [
                "CofferStorage", "CofferJSON",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The SDK that engines compile against: Request, Response, Backend, StorageView, errors.
        .target(name: "CofferLogical", dependencies: ["CofferJSON"], swiftSettings: swiftSettings),
        // ACL policies: parse (HCL or JSON) and evaluate as Vault does.
        .target(name: "CofferPolicy", dependencies: ["CofferHCL", "CofferJSON", "CofferLogical"], swiftSettings: swiftSettings),
        // Secrets engines and auth methods: the logical SDK only.
        .target(name: "CofferEngines", dependencies: ["CofferLogical", "CofferJSON"], swiftSettings: swiftSettings),
        // Auth methods (userpass, approle): the logical SDK plus password hashing.
        .target(
            name: "CofferAuth",
            dependencies: [
                "CofferLogical", "CofferJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Replication's pure parts: the WAL, the Merkle index, the primary and secondary
        // state machines (events in, actions out). No sockets, no TLS.
        .target(
            name: "CofferReplication",
            dependencies: [
                "CofferStorage",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Metrics: swift-metrics handlers kept per server (no global bootstrap), rendered as
        // Prometheus text (swift-prometheus) or Vault's sys/metrics JSON.
        .target(
            name: "CofferMetrics",
            dependencies: [
                "CofferJSON",
                "CofferLogical",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Router, mounts, tokens, seal lifecycle, sys/ backend, the request pipeline.
        .target(
            name: "CofferCore",
            dependencies: [
                "CofferStorage", "CofferReplication", "CofferBarrier", "CofferLogical", "CofferEngines", "CofferAuth", "CofferJSON", "CofferPolicy", "CofferMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The cluster link: gRPC (grpc-swift 2, NIO transport) over mutual TLS, the
        // replication set's certificate authority, activation tokens (JWT), and the shells
        // that drive the replication state machines and forward writes.
        .target(
            name: "CofferCluster",
            dependencies: [
                "CofferReplication", "CofferCore", "CofferLogical", "CofferJSON", "CofferStorage", "CofferMetrics",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            exclude: ["Protos"],
            swiftSettings: swiftSettings
        ),
        // The /v1 HTTP surface on Hummingbird 2.
        .target(
            name: "CofferHTTP",
            dependencies: [
                "CofferCore", "CofferLogical", "CofferJSON",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Server configuration (HCL/JSON) and composition: storage, core, HTTP listener, lifecycle.
        .target(
            name: "CofferServer",
            dependencies: [
                "CofferHTTP", "CofferCore", "CofferStorage", "CofferHCL", "CofferJSON", "CofferCluster", "CofferReplication",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // Typed Vault API client used by the CLI and the end-to-end tests.
        .target(
            name: "CofferClient",
            dependencies: [
                "CofferJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The vault-shaped command line (everything but `server`).
        .target(
            name: "CofferCLI",
            dependencies: [
                "CofferClient", "CofferJSON", "CofferHCL",
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "coffer",
            dependencies: [
                "CofferCLI", "CofferServer", "CofferCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmark baseline: a bare Hummingbird route returning a KV-sized body.
        .executableTarget(
            name: "coffer-bench-baseline",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "benchmarks/baseline",
            swiftSettings: swiftSettings
        ),
        // Conformance suites, manual clock and helpers shared by the tests.
        .target(
            name: "CofferTestKit",
            dependencies: [
                "CofferStorage", "CofferJSON", "CofferLogical", "CofferReplication",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CofferJSONTests", dependencies: ["CofferJSON", "CofferHCL"], swiftSettings: swiftSettings),
        .testTarget(name: "CofferMetricsTests", dependencies: ["CofferMetrics", "CofferJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferStorageTests",
            dependencies: [
                "CofferStorage", "CofferTestKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CofferPolicyTests", dependencies: ["CofferPolicy", "CofferHCL", "CofferJSON", "CofferLogical"], swiftSettings: swiftSettings),
        .testTarget(name: "CofferAuthTests", dependencies: ["CofferAuth", "CofferLogical", "CofferJSON", "CofferTestKit"], swiftSettings: swiftSettings),
        .testTarget(name: "CofferEnginesTests", dependencies: ["CofferEngines", "CofferLogical", "CofferJSON", "CofferTestKit"], swiftSettings: swiftSettings),
        .testTarget(name: "CofferCoreTests", dependencies: ["CofferCore", "CofferLogical", "CofferJSON", "CofferStorage", "CofferTestKit", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .testTarget(name: "CofferBarrierTests", dependencies: ["CofferBarrier", "CofferStorage", "CofferTestKit"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CofferServerTests",
            dependencies: ["CofferServer", "CofferHTTP", "CofferCore", "CofferTestKit", "CofferClient", "CofferJSON",
                           "CofferStorage", "CofferLogical", "CofferCluster",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CofferReplicationTests",
            dependencies: ["CofferReplication", "CofferStorage", "CofferTestKit", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CofferClusterTests",
            dependencies: ["CofferCluster", "CofferReplication", "CofferCore", "CofferStorage", "CofferTestKit",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "X509", package: "swift-certificates"),
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CofferCLITests", dependencies: ["CofferCLI", "CofferClient", "CofferJSON"], swiftSettings: swiftSettings),
        // Runs the real `coffer` binary (built by `swift build`) as a subprocess.
        .testTarget(
            name: "CofferEndToEndTests",
            dependencies: [
                "CofferJSON", "CofferTestKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
