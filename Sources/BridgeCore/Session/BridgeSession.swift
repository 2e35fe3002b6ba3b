import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Locking

/// The bridge's one session to an upstream project (Unicat's project, Zou's production)
/// and everything that relays it: the upstream, sync engine, its live feed, safety poll,
/// mirror and journal, the hub, and the transport plugins, run as one service until
/// graceful shutdown.
public final class BridgeSession: Service {
    public let parts: SessionParts
    public let queries = HostQueries()
    public let metrics = BridgeMetrics()
    private let plugins: PluginHost?
    private let logger: Logger

    public var configuration: BridgeConfiguration { parts.configuration }
    public var store: BridgeStore { parts.store }
    public var engine: SyncEngine { parts.engine }
    public var health: UpstreamHealth { parts.health }

    /// Opens the store and loads the configured transport plugins (without starting them),
    /// so a bad state directory or plugin stops the bridge before it contacts the upstream.
    /// `secret` is Unicat's API key or the Zou account's password.
    public init(configuration: BridgeConfiguration, secret: Secret, logger: Logger,
                transport: (any HTTPTransport)? = nil,
                requestShutdown: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.logger = logger
        let settings = configuration.upstream
        let http = transport ?? CurlHTTPTransport(caFile: settings.caFile)
        let upstream: any Upstream
        switch settings.kind {
        case .unicat:
            upstream = UnicatUpstream(
                client: UpstreamClient(baseURL: settings.baseURL, project: settings.project, apiKey: secret, transport: http,
                                       timeout: settings.requestTimeout,
                                       omitExtendedDefinitions: settings.omitExtendedDefinitions, logger: logger),
                caFile: settings.caFile, logger: logger)
        case .zou:
            upstream = try ZouUpstream(settings: settings, password: secret, transport: http, logger: logger)
        }
        let store = try BridgeStore(directory: configuration.stateDirectory, journalLimit: configuration.journalSize,
                                    initDataTypes: upstream.snapshotDataTypes)
        let fetcher = ObjectFetcher(upstream: upstream)
        let health = UpstreamHealth(feedEnabled: configuration.sync.useSocketFeed, logger: logger)
        let engine = SyncEngine(project: settings.project, upstream: upstream, fetcher: fetcher, store: store,
                                health: health, logger: logger)
        let hub = Hub(store: store, syncLog: SyncLogPages(upstream: upstream), fetcher: fetcher, logger: logger)
        parts = SessionParts(configuration: configuration, store: store, upstream: upstream, fetcher: fetcher,
                             engine: engine, health: health, hub: hub)
        plugins = configuration.transports.isEmpty ? nil : try PluginHost(
            transports: configuration.transports,
            pluginDirectory: configuration.pluginDirectory ?? PluginHost.defaultPluginDirectory,
            router: RPCRouter(methods: BridgeMethods(session: parts)), hub: hub, queries: queries, logger: logger,
            requestShutdown: requestShutdown)

        engine.onCommit { batch in await hub.publish(batch) }
        engine.onEpoch { first, reason in await hub.epochStarted(first, reason: reason) }
        health.observe { state in Task { await hub.upstreamStateChanged(state) } }
    }

    public func run() async throws {
        // Transports first: clients may connect (and `initialize`) while Unicat is reached.
        try plugins?.start()
        defer { plugins?.stop() }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.refreshQueries() }
                group.addTask {
                    do {
                        try await self.start()
                    } catch is CancellationError {
                        return
                    } catch {
                        self.startFailure.withLock { $0 = error }
                        return
                    }
                    await withTaskGroup(of: Void.self) { running in
                        // Commits fsync: on their own queue, never on the cooperative pool.
                        running.addTask(executorPreference: self.storageExecutor) { await self.engine.run() }
                        if self.configuration.sync.useSocketFeed {
                            running.addTask { await self.parts.upstream.followFeed(engine: self.engine, health: self.health) }
                        }
                        running.addTask { await self.safetyPoll() }
                        await running.next()
                        running.cancelAll()
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        if let error = startFailure.withLock({ $0 }) { throw error }
        logger.notice("stopped; state is in \(store.path)")
    }

    private let startFailure = Locked<(any Error)?>(nil)
    /// SQLite commits block in fsync: on a thread of their own, off the cooperative pool
    /// that the hub, the feed and every client's requests share.
    private let storageExecutor = DedicatedExecutor(name: "sync-engine", threadCount: 1)

    /// Logs in and loads or creates the mirror. Waits out an unreachable upstream; rejected
    /// credentials or an untrusted certificate end the run (retrying cannot help).
    private func start() async throws {
        var attempt = 0
        while true {
            do {
                try await engine.prepare()
                try await parts.hub.start(at: engine.position) { [engine] types in engine.setObjectInterest(types) }
                return
            } catch let error as UpstreamError {
                health.httpFailed(error)
                switch error {
                case .credentialsRejected, .loginRefused, .untrusted: throw error
                case .unreachable: break
                }
                try await backOff(error, attempt: &attempt)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // An error answer or an upstream not reachable yet: it may come back.
                health.httpFailed(error)
                try await backOff(error, attempt: &attempt)
            }
        }
    }

    private func backOff(_ error: any Error, attempt: inout Int) async throws {
        let delay = RetryPolicy(baseDelay: 1, maxDelay: 60).delay(attempt: attempt)
        attempt += 1
        logger.error("\(error); retrying in \(String(format: "%.0f", delay)) s")
        try await Task.sleep(for: .seconds(delay))
    }

    /// The upstream's changes (Unicat: `/sync/get`) at intervals even while the feed looks
    /// healthy (and more often while it is down), checking for a rewound cursor each time.
    /// Which interval applies is decided as the time passes, not when the wait begins: a
    /// bridge starts before its feed connects, and must not keep the faster pace after.
    private func safetyPoll() async {
        let interval = configuration.sync.safetyPollSeconds
        let whileFeedDown = min(interval, 5)
        var last = MonotonicDeadline.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(min(whileFeedDown, 1))) } catch { return }
            let feedUp = configuration.sync.useSocketFeed && health.snapshot.feedConnected
            guard last.adding(seconds: feedUp ? interval : whileFeedDown).hasPassed else { continue }
            last = MonotonicDeadline.now
            engine.requestCatchUp(verifyCursors: true)
        }
    }

    /// Keeps the documents plugins may query (status, health, metrics) fresh.
    private func refreshQueries() async {
        while !Task.isCancelled {
            if let status = try? BridgeStatus.collect(parts) {
                let state = health.state
                queries.update("status", status.encodedString())
                queries.update("health", JSONValue.object([
                    "ok": .bool(state == .connected), "state": .string(state.rawValue),
                ]).encodedString())
                metrics.update(from: status, state: state)
                queries.update("metrics", metrics.text())
            }
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
        }
    }
}
