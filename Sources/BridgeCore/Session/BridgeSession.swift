import Foundation
import Logging
import ServiceLifecycle

/// The bridge's one session to a Unicat project: upstream client, sync engine, socket feed,
/// safety poll, mirror and journal, run as one service until graceful shutdown.
public final class BridgeSession: Service {
    public let configuration: BridgeConfiguration
    public let store: BridgeStore
    public let client: UpstreamClient
    public let fetcher: ObjectFetcher
    public let engine: SyncEngine
    public let health: UpstreamHealth
    private let feed: SyncFeed?
    private let logger: Logger

    public init(configuration: BridgeConfiguration, apiKey: Secret, logger: Logger,
                transport: (any HTTPTransport)? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        let upstream = configuration.upstream
        store = try BridgeStore(directory: configuration.stateDirectory, journalLimit: configuration.journalSize)
        client = UpstreamClient(baseURL: upstream.baseURL, project: upstream.project, apiKey: apiKey,
                                transport: transport ?? CurlHTTPTransport(caFile: upstream.caFile),
                                timeout: upstream.requestTimeout,
                                omitExtendedDefinitions: upstream.omitExtendedDefinitions, logger: logger)
        fetcher = ObjectFetcher(client: client, logger: logger)
        health = UpstreamHealth(feedEnabled: configuration.sync.useSocketFeed, logger: logger)
        engine = SyncEngine(project: upstream.project, client: client, fetcher: fetcher, store: store,
                            health: health, logger: logger)
        feed = configuration.sync.useSocketFeed
            ? try SyncFeed(baseURL: upstream.baseURL, caFile: upstream.caFile, project: upstream.project,
                           upstream: client, engine: engine, health: health, logger: logger)
            : nil
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.start()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.engine.run() }
                if let feed = self.feed { group.addTask { await feed.run() } }
                group.addTask { await self.safetyPoll() }
                await group.next()
                group.cancelAll()
            }
        }
        logger.notice("stopped; state is in \(store.path)")
    }

    /// Authenticates and loads or creates the mirror. Waits out an unreachable upstream;
    /// a rejected API key or an untrusted certificate ends the run (retrying cannot help).
    private func start() async throws {
        var attempt = 0
        while true {
            do {
                try await engine.prepare()
                return
            } catch let error as UpstreamError {
                switch error {
                case .credentialsRejected, .untrusted:
                    health.httpFailed(error)
                    throw error
                case .unreachable:
                    health.httpFailed(error)
                }
                let delay = RetryPolicy(baseDelay: 1, maxDelay: 60).delay(attempt: attempt)
                attempt += 1
                logger.error("\(error); retrying in \(String(format: "%.0f", delay)) s")
                try await Task.sleep(for: .seconds(delay))
            } catch let error as UnicatError {
                health.httpFailed(error)
                let delay = RetryPolicy(baseDelay: 1, maxDelay: 60).delay(attempt: attempt)
                attempt += 1
                logger.error("\(error); retrying in \(String(format: "%.0f", delay)) s")
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// `/sync/get` at intervals even while the socket looks healthy (and more often while it
    /// is down), checking for a rewound cursor each time.
    private func safetyPoll() async {
        let interval = configuration.sync.safetyPollSeconds
        while !Task.isCancelled {
            let feedUp = health.snapshot.feedConnected
            let wait = (feed != nil && feedUp) ? interval : min(interval, 5)
            do { try await Task.sleep(for: .seconds(wait)) } catch { return }
            engine.requestCatchUp(verifyCursors: true)
        }
    }
}
