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

    @OptionGroup var transportFlags: TransportFlags

    func run() async throws {
        // The same checks as check-config, all reported at once, before anything starts.
        let report = ConfigurationReport(settings: settings, transportFlags: transportFlags)
        if let status = report.exitStatus {
            report.printIssues()
            throw ExitCode(status)
        }
        guard let configuration = report.configuration, let secret = report.secret else {
            Diagnostics.error("the configuration could not be read")
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
