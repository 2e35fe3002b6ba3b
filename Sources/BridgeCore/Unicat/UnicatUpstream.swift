import Logging

/// Unicat behind the upstream seam: the API key's session (`UpstreamClient`), the init as
/// snapshot, `/sync/get` with Unicat's own cursors as the authority for changes, the
/// socket.io feed at `/sync/io` as trigger, and epochs named after finished restores.
public struct UnicatUpstream: Upstream {
    public let client: UpstreamClient
    private let caFile: String?
    let logger: Logger
    private let restores: RestoreLog

    public init(client: UpstreamClient, caFile: String? = nil, logger: Logger = Logger(label: "unicat-bridge")) {
        self.client = client
        self.caFile = caFile
        self.logger = logger
        restores = RestoreLog(client: client, project: client.project, logger: logger)
    }

    private var project: String { client.project }

    public var snapshotDataTypes: [String] { BridgeStore.unicatInitDataTypes }
    public var statistics: UpstreamCounters { client.statistics }
    public var proxyClient: UpstreamClient? { client }

    /// `/auth` answers with the project init.
    public func openSession() async throws -> UnicatResponse { try await client.authenticate() }

    public func snapshot() async throws -> UnicatResponse { try await client.projectInit() }

    public func epochBasis(continuing stored: StoredState?, recent: [JournalEntry], at snapshot: UnicatResponse) async throws -> EpochBasis? {
        let upstream = SyncCursors(of: snapshot)
        guard let stored, stored.project == project else {
            // Restores up to the init's cc cursor are in the init; later ones are seen live.
            return EpochBasis(restoreCursor: try await restores.latestRestore(after: 0, through: upstream.cc) ?? 0)
        }
        let ours = stored.position.cursors
        guard upstream.project < ours.project || upstream.cc < ours.cc else { return nil }
        return try await basisAfterRewind(from: ours, to: upstream, knownRestore: stored.restoreCursor ?? 0)
    }

    /// A restore in the cc stream between the two names the new epoch as every instance
    /// names it. Without one (or when the cc stream itself went back) nothing Unicat says
    /// explains the rewind: the epoch is marked as this instance's own.
    public func basisAfterRewind(from ours: SyncCursors, to theirs: SyncCursors, knownRestore: Int64) async throws -> EpochBasis {
        if theirs.cc >= ours.cc, let restore = try await restores.latestRestore(after: ours.cc, through: theirs.cc) {
            return EpochBasis(restoreCursor: restore)
        }
        return EpochBasis(restoreCursor: knownRestore, rewound: true)
    }

    public func epochStarted(by item: SyncItem) -> (basis: EpochBasis, reason: String)? {
        item.isRestoreDone(project: project) ? (EpochBasis(restoreCursor: item.cursor), "restore_project job finished") : nil
    }

    public func changesSnapshotResult(_ item: SyncItem, current result: JSONValue) -> Bool {
        item.changesProjectInit(project: project, initResult: result)
    }

    public func changes(after cursors: SyncCursors) async throws -> (items: [SyncItem], more: Bool) {
        let response: UnicatResponse
        do {
            response = try await client.call(.syncGet, cursors.syncRequest(project: project))
        } catch let error as UnicatError where error.isUnprocessable {
            throw ChangesUnavailable("Unicat no longer holds the changes after cursors cc \(cursors.cc), project \(cursors.project): \(error)")
        }
        let (items, malformed, more) = SyncItem.parseList(response.result)
        if malformed > 0 { logger.error("ignored \(malformed) malformed sync item(s) from /sync/get") }
        return (SyncEngine.ordered(items), more)
    }

    public func latestCursors() async throws -> SyncCursors? {
        let latest = try await client.call(.syncCursors, ["project": .string(project)]).result
        guard let cc = latest["cc.cursor"]?.int64Value, let cursor = latest["cursor"]?.int64Value else { return nil }
        return SyncCursors(cc: cc, project: cursor)
    }

    public func refetchRule(for item: SyncItem, held: Bool) -> RefetchRule {
        RefetchRule.rule(for: item, held: held, project: project)
    }

    public func fetchLimit(_ dataType: String) -> Int? { ObjectFetchSpec.spec(for: dataType)?.batchLimit }

    public func followFeed(engine: SyncEngine, health: UpstreamHealth) async {
        do {
            let feed = try SyncFeed(baseURL: client.baseURL, caFile: caFile, project: project, upstream: client, engine: engine,
                                    health: health, logger: logger)
            await feed.run()
        } catch {
            logger.error("cannot follow Unicat's sync feed: \(error); relying on /sync/get")
        }
    }
}
