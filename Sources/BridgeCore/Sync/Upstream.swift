import Logging

/// The seam between the bridge's core (sync engine, store, hub, protocol, transports) and
/// the server it follows. What differs between upstreams lives behind it: how the session
/// logs in, what the snapshot an epoch starts from holds, where changes come from and in
/// what order, how changed objects are fetched, and what ends continuity. Each upstream is
/// one conforming type in a folder of its own (`Unicat/`, `Zou/`): a third one is a new
/// folder and a case of `UpstreamKind`.
///
/// Snapshots come in the shape `unicat.init` serves (`result`, `data` grouped by data type
/// and keyed by object key), and changes as `SyncItem`s whose cursors order them: the
/// upstream's own cursors where it has them, else a sequence the upstream type assigns.
public protocol Upstream: Sendable {
    /// The data types a snapshot's `data` holds, which `unicat.init` serves from the mirror.
    var snapshotDataTypes: [String] { get }
    /// Requests, failures and logins so far, for `bridge.status` and the metrics.
    var statistics: UpstreamCounters { get }
    /// The client `unicat.call` proxies through; nil when the upstream offers no such calls.
    var proxyClient: UpstreamClient? { get }

    /// Logs in and takes the snapshot the session starts from.
    func openSession() async throws -> UnicatResponse
    /// A fresh snapshot, for a new epoch or after a change to the snapshot's `result`.
    func snapshot() async throws -> UnicatResponse

    /// What the epoch starting from `snapshot` is named after, when the store holds
    /// `stored` (nil: empty store) whose journal ends with `recent`; nil when the stored
    /// epoch continues (a warm restart).
    func epochBasis(continuing stored: StoredState?, recent: [JournalEntry], at snapshot: UnicatResponse) async throws -> EpochBasis?
    /// The upstream's cursors went from `ours` back to `theirs`.
    func basisAfterRewind(from ours: SyncCursors, to theirs: SyncCursors, knownRestore: Int64) async throws -> EpochBasis
    /// The new epoch a change starts (e.g. a finished restore) and why, or nil.
    func epochStarted(by item: SyncItem) -> (basis: EpochBasis, reason: String)?
    /// Whether a change alters the snapshot's `result` (which is then taken again).
    func changesSnapshotResult(_ item: SyncItem, current result: JSONValue) -> Bool

    /// The changes after `cursors`, in order, and whether more are waiting. Throws
    /// `ChangesUnavailable` when the upstream no longer holds them.
    func changes(after cursors: SyncCursors) async throws -> (items: [SyncItem], more: Bool)
    /// The upstream's latest cursors, to detect a rewind; nil when it has none of its own.
    func latestCursors() async throws -> SyncCursors?
    /// What a change asks of the mirror; `held` when the mirror holds the object or a
    /// subscriber wants it.
    func refetchRule(for item: SyncItem, held: Bool) -> RefetchRule

    /// Whether objects of `dataType` can be fetched, and how many keys one request takes.
    func fetchLimit(_ dataType: String) -> Int?
    /// The outcome for each of `keys` (at most `fetchLimit`), each request taken from
    /// `allowance` when one is given.
    func fetchObjects(_ dataType: String, keys: [String], allowance: UpstreamAllowance?) async -> [String: FetchedObject]

    /// Follows the upstream's live feed, triggering `engine`, until the task is cancelled.
    func followFeed(engine: SyncEngine, health: UpstreamHealth) async
}

/// The upstream no longer holds the changes asked for: a subscriber resuming there must
/// reload (`resnapshot_required`).
public struct ChangesUnavailable: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
