import Foundation
import Logging

/// Zou (the server behind Kitsu) behind the upstream seam: the account's session
/// (`ZouSession`), a snapshot of one production, the event log or the live event stream
/// numbered by the bridge (`ZouChangeLog`), objects fetched one by one over REST, and an
/// epoch of this instance's own for every run and every unrecoverable drop.
public struct ZouUpstream: Upstream {
    public let session: ZouSession
    private let project: String
    private let eventsURL: String
    private let caFile: String?
    private let log: ZouChangeLog
    private let logger: Logger

    public init(settings: BridgeConfiguration.Upstream, password: Secret, transport: any HTTPTransport, logger: Logger) throws {
        session = ZouSession(baseURL: settings.baseURL, email: settings.email ?? "", password: password, transport: transport,
                             timeout: settings.requestTimeout, logger: logger)
        project = settings.project
        eventsURL = settings.eventsURL ?? Self.eventsURL(derivedFrom: settings.baseURL)
        caFile = settings.caFile
        log = ZouChangeLog(session: session, project: settings.project, logger: logger)
        self.logger = logger
    }

    /// Kitsu serves the API below `/api` and the event stream at the host's root.
    static func eventsURL(derivedFrom baseURL: String) -> String {
        baseURL.hasSuffix("/api") ? String(baseURL.dropLast(4)) : baseURL
    }

    /// What a snapshot holds: the production, and what a dashboard of it needs to show
    /// its breakdown and progress, each from one request. Shared lists (asset types, task
    /// types, statuses, persons) come whole: they are small, and tasks name them by id.
    /// `{project}` in a path is the production's id.
    static let snapshotParts: [(dataType: String, path: String)] = [
        ("projects", "/data/projects/{project}"),
        ("asset_types", "/data/asset-types"),
        ("assets", "/data/assets?project_id={project}"),
        ("sequences", "/data/sequences?project_id={project}"),
        ("shots", "/data/shots?project_id={project}"),
        ("tasks", "/data/tasks?project_id={project}"),
        ("task_types", "/data/task-types"),
        ("task_status", "/data/task-status"),
        ("persons", "/data/persons"),
    ]

    public var snapshotDataTypes: [String] { Self.snapshotParts.map(\.dataType) }
    public var statistics: UpstreamCounters { session.statistics }
    public var proxyClient: UpstreamClient? { nil }

    public func openSession() async throws -> UnicatResponse {
        try await session.logIn()
        return try await snapshot()
    }

    /// Marks the event log's end first, so every change after it is relayed.
    public func snapshot() async throws -> UnicatResponse {
        try await log.startEpoch()
        var data: [String: JSONValue] = [:]
        try await withThrowingTaskGroup(of: (String, JSONValue).self) { group in
            for (dataType, path) in Self.snapshotParts {
                let resolved = path.replacingOccurrences(of: "{project}", with: project)
                group.addTask { [session] in (dataType, try await session.get(resolved)) }
            }
            for try await (dataType, answer) in group {
                var objects: [String: JSONValue] = [:]
                for object in answer.arrayValue ?? [answer] {
                    if let id = object["id"]?.stringValue?.lowercased() { objects[id] = object }
                }
                data[dataType] = .object(objects)
            }
        }
        let user = session.heldAccessToken.flatMap { ZouTokens.claims(of: $0.reveal())?["sub"]?.stringValue }
        let result: JSONValue = [
            "upstream": "zou", "project": .string(project), "user": user.map { .string($0) } ?? .null,
            "event_log": .bool(log.mode == .eventLog), "event_log_watermark": log.watermark ?? .null, "cc.cursor": 0, "cursor": 0,
        ]
        return UnicatResponse(result: result, data: .object(data))
    }

    /// The stored epoch continues when Zou's event log holds everything since it (see
    /// `ZouChangeLog.resume`); otherwise what happened while the bridge was stopped is not
    /// known, and a new epoch of this run's own starts.
    public func epochBasis(continuing stored: StoredState?, recent: [JournalEntry], at snapshot: UnicatResponse) async throws -> EpochBasis? {
        guard let stored, stored.project == project, stored.position.epoch.contains("-z"),
              let watermark = stored.initResult["event_log_watermark"], !watermark.isNull,
              try await log.resume(cursor: stored.position.cursors.project, watermark: watermark, recent: recent.map(\.item))
        else { return Self.freshBasis() }
        logger.notice("continuing epoch \(stored.position.epoch) from Zou's event log")
        return nil
    }

    public func basisAfterRewind(from ours: SyncCursors, to theirs: SyncCursors, knownRestore: Int64) async throws -> EpochBasis {
        Self.freshBasis()
    }

    /// `z` and the start time in milliseconds, base 36: unique to this instance and run.
    static func freshBasis() -> EpochBasis {
        EpochBasis(origin: "z" + String(Int64(Date().timeIntervalSince1970 * 1000), radix: 36))
    }

    public func epochStarted(by item: SyncItem) -> (basis: EpochBasis, reason: String)? { nil }

    public func changesSnapshotResult(_ item: SyncItem, current result: JSONValue) -> Bool { false }

    public func changes(after cursors: SyncCursors) async throws -> (items: [SyncItem], more: Bool) {
        try await log.changes(after: cursors)
    }

    public func latestCursors() async throws -> SyncCursors? { nil }

    /// Every change is refetched (Zou's events carry ids only), deletes are deletes.
    public func refetchRule(for item: SyncItem, held: Bool) -> RefetchRule {
        guard ZouModel.model(forDataType: item.dataType) != nil else { return .ignore }
        return item.action == "DELETE" ? .remove : .fetch
    }

    /// Zou's routes serve one object each: a batch is that many requests one after the
    /// other, so a catch-up over many changes asks Zou a few at a time, not all at once.
    public func fetchLimit(_ dataType: String) -> Int? { ZouModel.model(forDataType: dataType) == nil ? nil : 16 }

    public func fetchObjects(_ dataType: String, keys: [String], allowance: UpstreamAllowance?) async -> [String: FetchedObject] {
        guard let model = ZouModel.model(forDataType: dataType) else { return [:] }
        var objects: [String: FetchedObject] = [:]
        for key in keys {
            if let exhausted = allowance?.take() {
                objects[key] = .failed(exhausted)
                continue
            }
            // Ids are UUIDs: anything else cannot name a Zou object (nor reach another route).
            guard UUID(uuidString: key) != nil else {
                objects[key] = .gone
                continue
            }
            do {
                objects[key] = .present(try await session.get("\(model.route)/\(key)"))
            } catch ZouError.notFound {
                objects[key] = .gone
            } catch {
                objects[key] = .failed(error)
            }
        }
        return objects
    }

    public func followFeed(engine: SyncEngine, health: UpstreamHealth) async {
        do {
            let feed = try ZouEventFeed(eventsURL: eventsURL, caFile: caFile, session: session, log: log, engine: engine,
                                        health: health, logger: logger)
            await feed.run()
        } catch {
            logger.error("cannot follow Zou's event stream at \(eventsURL): \(error); relying on the safety poll")
        }
    }
}
