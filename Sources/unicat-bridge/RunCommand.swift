import ArgumentParser
import BridgeCore
import Foundation
import Logging
import ServiceLifecycle
import SocketIOClient

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the bridge: hold the Unicat session and keep the mirror and journal up to date."
    )

    @OptionGroup var settings: SettingsOptions

    @Flag(name: .long, help: "Serve the bridge protocol on stdin/stdout (for editors that spawn the bridge); stdin EOF stops the bridge.")
    var stdio = false

    @Option(name: .long, help: ArgumentHelp("Serve the bridge protocol, the dashboard, /healthz and /metrics over WebSocket/HTTP on this address (unless the configuration has a transports.websocket section).", valueName: "HOST:PORT"))
    var websocket: String?

    @Option(name: .long, help: ArgumentHelp("Serve the bridge protocol on a Unix-domain socket at this path (when the configuration has no transports.unix section).", valueName: "path"))
    var unix: String?

    func run() async throws {
        var configuration: BridgeConfiguration
        let secret: Secret
        do {
            configuration = try settings.resolve()
            if stdio, configuration.transports["stdio"] == nil { configuration.transports["stdio"] = .object([:]) }
            if let websocket, configuration.transports["websocket"] == nil {
                configuration.transports["websocket"] = .object(["listen": .array([.string(websocket)])])
            }
            if let unix, configuration.transports["unix"] == nil { configuration.transports["unix"] = ["path": .string(unix)] }
            secret = try configuration.upstream.secretSource.load(for: configuration.upstream.kind)
        } catch let error as ConfigurationError {
            Diagnostics.error(error.description)
            throw ExitCode(ExitStatus.configuration)
        }
        // Everything the bridge creates (state, sockets) is private to its user.
        umask(0o077)
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "unicat-bridge")
        LibWebSocketsLog.route(to: logger)
        logger.info("unicat-bridge \(BridgeVersion.current) starting for \(configuration.upstream.kind.rawValue) project \(configuration.upstream.project) at \(configuration.upstream.baseURL)")

        let shutdown = ShutdownTrigger()
        let session: BridgeSession
        do {
            session = try BridgeSession(configuration: configuration, secret: secret, logger: logger,
                                        requestShutdown: { _ in shutdown.trigger() })
        } catch let error as PluginLoadError {
            Diagnostics.error(error.description)
            throw ExitCode(ExitStatus.environment)
        } catch {
            Diagnostics.error("cannot open the state directory \(configuration.stateDirectory): \(error)")
            throw ExitCode(ExitStatus.environment)
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: session, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        shutdown.attach(group)
        do {
            try await group.run()
        } catch let error as PluginLoadError {
            Diagnostics.error(error.description)
            throw ExitCode(ExitStatus.environment)
        } catch let error as UpstreamError {
            Diagnostics.error(error.description)
            switch error {
            case .credentialsRejected, .loginRefused: throw ExitCode(ExitStatus.credentialsRejected)
            case .untrusted, .unreachable: throw ExitCode(ExitStatus.environment)
            }
        }
    }
}
