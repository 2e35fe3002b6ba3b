import Foundation
import Logging

/// Loads the configured transport plugins, starts them, and stops them. A plugin that
/// cannot load or start stops the bridge at start-up with a message naming it; once
/// running, a misbehaving client only ever affects itself.
public final class PluginHost: Sendable {
    private let connections: [PluginConnection]
    private let logger: Logger

    /// Loads (but does not start) every transport in `transports`.
    public init(transports: [String: JSONValue], pluginDirectory: String, router: RPCRouter, hub: Hub,
                queries: HostQueries, logger: Logger, requestShutdown: @escaping @Sendable (String) -> Void) throws {
        let dispatcher = ClientDispatcher(router: router, hub: hub, logger: logger)
        let clientIDs = ClientIDSource()
        // A transport that ends the session (stdin closed) still gets its answers first.
        let requestShutdown: @Sendable (String) -> Void = { reason in
            Task {
                await dispatcher.waitUntilIdle(timeout: Self.answerGrace)
                requestShutdown(reason)
            }
        }
        let sections = try transports.keys.sorted().map { name in
            try TransportSettings.usable(name: name, section: transports[name] ?? .object([:]), pluginDirectory: pluginDirectory)
        }
        connections = try sections.map { settings, library in
            PluginConnection(settings: settings, library: try PluginLibrary(path: library), dispatcher: dispatcher,
                             queries: queries, clientIDs: clientIDs, logger: logger, requestShutdown: requestShutdown)
        }
        configurations = sections.map { $0.settings.pluginConfig.encodedString() }
        self.logger = logger
    }

    private let configurations: [String]
    /// How long a shutdown asked for by a transport waits for answers in progress (a
    /// request may wait up to 30 s for a first start's data).
    static let answerGrace: Duration = .seconds(40)

    public var transportNames: [String] { connections.map(\.name) }

    /// Starts every plugin; if one fails, the ones already started are stopped again.
    public func start() throws {
        var started: [PluginConnection] = []
        for (connection, configuration) in zip(connections, configurations) {
            do {
                try connection.start(configJSON: configuration)
                started.append(connection)
            } catch {
                for running in started.reversed() { running.stop() }
                throw error
            }
        }
    }

    public func stop() {
        for connection in connections.reversed() { connection.stop() }
    }

    /// The directory holding the bundled plugins: beside the running binary.
    public static var defaultPluginDirectory: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().path
    }
}
