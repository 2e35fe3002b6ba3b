// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "unicat-bridge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "unicat-bridge", targets: ["unicat-bridge"]),
        // Transport plugins, loaded by the bridge at run time.
        .library(name: "StdioTransport", type: .dynamic, targets: ["StdioTransport"]),
        .library(name: "UnixSocketTransport", type: .dynamic, targets: ["UnixSocketTransport"]),
        .library(name: "WebSocketTransport", type: .dynamic, targets: ["WebSocketTransport"]),
        // Test fixtures: a plugin written in C, and two plugins the host must refuse.
        .library(name: "CEchoPlugin", type: .dynamic, targets: ["CEchoPlugin"]),
        .library(name: "WrongMajorPlugin", type: .dynamic, targets: ["WrongMajorPlugin"]),
        .library(name: "ShortStructPlugin", type: .dynamic, targets: ["ShortStructPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System libraries (Debian: libwebsockets-dev, libcurl4-openssl-dev; both on OpenSSL).
        .systemLibrary(
            name: "CLibWebSockets",
            path: "Sources/CLibWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev", "libssl-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The C plugin ABI: header only, shared by the host and every plugin.
        .target(name: "CBridgePlugin", path: "Sources/CBridgePlugin"),
        // The one lock type (a pthread mutex with a condition variable) and monotonic deadlines.
        .target(name: "Locking", path: "Sources/Locking"),
        .target(name: "BridgePluginKit", dependencies: ["CBridgePlugin", "Locking"], path: "Sources/BridgePluginKit"),
        // The WebSocket transport's HMAC tokens and secret files, shared with `unicat-bridge token`.
        .target(name: "WebSocketCredentials", dependencies: ["CLibWebSockets", "BridgePluginKit"], path: "Sources/WebSocketCredentials"),
        // Socket.IO v5 / Engine.IO v4 client over libwebsockets (used by the sync feed).
        .target(
            name: "SocketIOClient",
            dependencies: ["CLibWebSockets", "Locking", .product(name: "Logging", package: "swift-log")],
            path: "Sources/SocketIOClient"
        ),
        .target(
            name: "BridgeCore",
            dependencies: [
                "CCurl",
                "CBridgePlugin",
                "Locking",
                // Configuration problems and suggestions read alike in the host and the plugins.
                "BridgePluginKit",
                "SocketIOClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/BridgeCore"
        ),
        .executableTarget(
            name: "unicat-bridge",
            dependencies: [
                "BridgeCore",
                // The client commands reuse the socket address and line framing of the plugins.
                "BridgePluginKit",
                "SocketIOClient",
                // `unicat-bridge token` mints and checks the WebSocket transport's tokens.
                "WebSocketCredentials",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/unicat-bridge"
        ),
        // Shared test helpers: launching the simulator and the bridge binary, temp dirs, waiting.
        .target(name: "BridgeTestSupport", dependencies: ["BridgeCore", "BridgePluginKit"], path: "Tests/BridgeTestSupport"),
        // The in-process test kit: a scripted Unicat behind the HTTP seam, a recording
        // transport behind the client seam, so races in the core become deterministic tests.
        .target(name: "BridgeTesting", dependencies: ["BridgeCore", "BridgePluginKit", "BridgeTestSupport", .product(name: "Logging", package: "swift-log")],
                path: "Tests/BridgeTesting"),
        .testTarget(name: "SocketIOClientTests", dependencies: ["SocketIOClient", "BridgeTestSupport"], path: "Tests/SocketIOClientTests"),
        .testTarget(name: "BridgeCoreTests", dependencies: ["BridgeCore", "BridgePluginKit", "BridgeTestSupport", "BridgeTesting"],
                    path: "Tests/BridgeCoreTests"),
        .testTarget(name: "EndToEndTests", dependencies: ["BridgeCore", "BridgeTestSupport"], path: "Tests/EndToEndTests"),
        // Transport plugins (one .so each) and the C test fixtures (no public headers: ".").
        .target(name: "StdioTransport", dependencies: ["CBridgePlugin", "BridgePluginKit"], path: "Plugins/StdioTransport"),
        .target(name: "UnixSocketTransport", dependencies: ["CBridgePlugin", "BridgePluginKit"], path: "Plugins/UnixSocketTransport"),
        // The dashboard page is compiled into the library (no bundle to find at run time).
        .target(name: "WebSocketTransport", dependencies: ["CLibWebSockets", "CBridgePlugin", "BridgePluginKit", "WebSocketCredentials"],
                path: "Plugins/WebSocketTransport", resources: [.embedInCode("dashboard/index.html")]),
        .target(name: "CEchoPlugin", dependencies: ["CBridgePlugin"], path: "Tests/Fixtures/CEchoPlugin", publicHeadersPath: "."),
        .target(name: "WrongMajorPlugin", dependencies: ["CBridgePlugin"], path: "Tests/Fixtures/CBadPlugins/WrongMajorPlugin",
                publicHeadersPath: "."),
        .target(name: "ShortStructPlugin", dependencies: ["CBridgePlugin"], path: "Tests/Fixtures/CBadPlugins/ShortStructPlugin",
                publicHeadersPath: "."),
        .testTarget(name: "BridgePluginKitTests", dependencies: ["BridgePluginKit"], path: "Tests/BridgePluginKitTests"),
        .testTarget(name: "WebSocketCredentialsTests", dependencies: ["WebSocketCredentials"], path: "Tests/WebSocketCredentialsTests"),
        // Loads the built plugin libraries with dlopen; never links a plugin target.
        .testTarget(name: "TransportPluginTests", dependencies: ["CBridgePlugin"], path: "Tests/TransportPluginTests"),
        // The benchmark load generator (Benchmarks/run drives it); never part of the tests.
        .target(name: "CByteSearch", path: "Benchmarks/CByteSearch"),
        .executableTarget(name: "bridge-loadgen",
                          dependencies: ["CLibWebSockets", "CByteSearch", "BridgePluginKit",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Benchmarks/LoadGenerator"),
        // JSON parse and encode, the bridge's codec against Foundation's (Benchmarks/json-codec).
        .executableTarget(name: "bridge-jsonbench",
                          dependencies: ["BridgeCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "Benchmarks/JSONCodec"),
    ],
    swiftLanguageModes: [.v6]
)
