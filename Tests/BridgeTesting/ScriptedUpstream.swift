import BridgeCore
import BridgePluginKit
import Foundation
import Logging

/// A small in-memory Unicat behind the HTTP seam (`HTTPTransport`), so the core can be
/// tested in process, with races made deterministic:
///
/// - **state**: objects by data type (`put` seeds silently; `insert` / `update` / `delete`
///   change them and append the sync item to the right stream, as Unicat does), jobs
///   (`job`), the project cursor rewound (`rewindProject`), the log pruned (`pruneLog`);
/// - **endpoints**: `auth` (answers with the init and a JWT), `init`, `sync/get` (both
///   streams or cc only, paged with `warning`, 422 "cursor too old" with
///   `info.oldest_cursor` below the pruned cursors), `sync/cursors`, and
///   `<type>/get`, `//users/get`, `//projects/get` (plural and singular forms, 422 when a
///   key is unknown), `//members/get`;
/// - **faults**: `fail(endpoint, status:)` for the next requests to an endpoint,
///   `failKey(dataType, key, status:)` for every fetch that names a key (the whole request
///   fails, as a plural request does upstream; its `info` names the key unless
///   `nameKeysInRefusals(false)`), `expireToken()` (401 until re-auth);
/// - **races**: `hold(endpoint)` catches the next request to an endpoint: its answer is
///   computed when it arrives (the state as of then) and sent when the test calls
///   `release()`; `arrived()` waits until it came. Release every hold a test sets;
/// - **counting**: `requests(endpoint)` and `requestBodies(endpoint)`; `urls()` for every
///   request that arrived, ours or not (a path that escapes the API is counted too).
///
/// Endpoints are named as `UnicatEndpoint` prints them: `records/get`, `//users/get`,
/// `sync/get`, `init`, `auth`.
public final class ScriptedUpstream: HTTPTransport, Sendable {
    public static let baseURL = "https://unicat.test"

    public let project: String
    public let user: String
    public let apiKey: String

    private struct KeyFailure {
        var status: Int
        var message: String
    }

    private struct EndpointFailure {
        var status: Int
        var remaining: Int
    }

    private struct State {
        var objects: [String: [String: JSONValue]] = [:]
        /// Both streams in append order (the order `sync/get` interleaves them in).
        var log: [SyncItem] = []
        var cursors = SyncCursors(cc: 0, project: 0)
        /// Items at or below these cursors were pruned.
        var pruned = SyncCursors(cc: 0, project: 0)
        var lastBackedUp: JSONValue = .null
        var ccVersion = "2026.01.001"
        var pageSize: Int
        var tokenGeneration = 0
        var keyFailures: [String: [String: KeyFailure]] = [:]
        var endpointFailures: [String: EndpointFailure] = [:]
        var holds: [String: Hold] = [:]
        var bodies: [String: [JSONValue]] = [:]
        var urls: [String] = []
        var refusalsNameKeys = true
    }


    private let state: Locked<State>

    public init(project: String = "7a1c9e52-0d3b-4c8e-9f61-2b5d8e4a0c17", user: String = "3f8b2d61-5e4c-4a9b-8d07-6c1e9a2b4f30",
                apiKey: String = "scripted-api-key", pageSize: Int = 100) {
        self.project = project
        self.user = user
        self.apiKey = apiKey
        var initial = State(pageSize: pageSize)
        initial.objects["cc.users"] = [user: ["gid": .string(user), "username": .null, "name": "API user", "status": "active"]]
        initial.objects["cc.projects"] = [project: ["gid": .string(project), "name": "Scripted", "owner": .string(user),
                                                    "status": "active", "backups": ["versions": [], "next_version": 1]]]
        initial.objects["cc.projects_members"] = ["\(project)/\(user)": ["project_gid": .string(project), "user_gid": .string(user),
                                                                         "status": "active", "roles": ["api"]]]
        initial.objects["cc.languages"] = ["en": "English"]
        state = Locked(initial)
    }

    /// An upstream client for this Unicat with quick retries.
    public func client(retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.01),
                       logger: Logger = Logger(label: "scripted-upstream")) -> UpstreamClient {
        UpstreamClient(baseURL: Self.baseURL, project: project, apiKey: Secret(apiKey), transport: self, retry: retry, logger: logger)
    }

    /// A record as Unicat shapes one, enough for the bridge.
    public static func record(_ gid: String, title: String) -> JSONValue {
        ["gid": .string(gid), "parent": .null, "title": ["en": .string(title)], "status": "published", "fields": ["en": [:]]]
    }

    // MARK: State

    public var cursors: SyncCursors { state.withLock { $0.cursors } }

    /// The object as Unicat holds it now.
    public func object(_ dataType: String, _ key: String) -> JSONValue? { state.withLock { $0.objects[dataType]?[key] } }

    /// Sets an object without a sync item (the state before the test starts).
    public func put(_ dataType: String, _ key: String, _ object: JSONValue) {
        state.withLock { $0.objects[dataType, default: [:]][key] = object }
    }

    @discardableResult
    public func insert(_ dataType: String, _ key: String, _ object: JSONValue) -> SyncItem {
        state.withLock { state in
            state.objects[dataType, default: [:]][key] = object
            return Self.append(&state, action: "INSERT", dataType: dataType, key: key)
        }
    }

    @discardableResult
    public func update(_ dataType: String, _ key: String, _ object: JSONValue) -> SyncItem {
        state.withLock { state in
            state.objects[dataType, default: [:]][key] = object
            return Self.append(&state, action: "UPDATE", dataType: dataType, key: key)
        }
    }

    @discardableResult
    public func delete(_ dataType: String, _ key: String) -> SyncItem {
        state.withLock { state in
            state.objects[dataType]?[key] = nil
            return Self.append(&state, action: "DELETE", dataType: dataType, key: key)
        }
    }

    /// A job's progress item (`jobs`, cc stream), for this project unless told otherwise.
    @discardableResult
    public func job(_ name: String, status: String, token: String = UUID().uuidString.lowercased(),
                    project: String? = nil, info: JSONValue = [:]) -> SyncItem {
        state.withLock { state in
            let data: JSONValue = ["project_gid": .string(project ?? self.project), "job": .string(name), "status": .string(status),
                                   "info": info, "created_on": 1_700_000_000, "updated_on": 1_700_000_001]
            return Self.append(&state, action: "UPDATE", dataType: "jobs", key: token, data: data)
        }
    }

    /// What `init` reports as the last backup.
    public func setLastBackedUp(_ timestamp: Double) { state.withLock { $0.lastBackedUp = .double(timestamp) } }

    /// A restore's effect on the project stream: later items vanish, new ones reuse the
    /// cursors from `cursor` + 1.
    public func rewindProject(to cursor: Int64) {
        state.withLock { state in
            state.log.removeAll { $0.stream == .project && $0.cursor > cursor }
            state.cursors.project = cursor
            state.pruned.project = min(state.pruned.project, cursor)
        }
    }

    /// Forgets the items at or below these cursors: `sync/get` from before them answers 422.
    public func pruneLog(ccThrough: Int64? = nil, projectThrough: Int64? = nil) {
        state.withLock { state in
            if let ccThrough { state.pruned.cc = max(state.pruned.cc, ccThrough) }
            if let projectThrough { state.pruned.project = max(state.pruned.project, projectThrough) }
            let pruned = state.pruned
            state.log.removeAll { $0.cursor <= pruned[$0.stream] }
        }
    }

    private static func append(_ state: inout State, action: String, dataType: String, key: String, data: JSONValue? = nil) -> SyncItem {
        let stream: SyncItem.Stream = dataType.hasPrefix("cc.") || dataType == "jobs" ? .cc : .project
        state.cursors[stream] += 1
        let item = SyncItem(stream: stream, cursor: state.cursors[stream], action: action, dataType: dataType, dataKey: key, data: data)
        state.log.append(item)
        return item
    }

    // MARK: Faults and races

    /// Every fetch naming `key` answers `status` until `clearFailure`.
    public func failKey(_ dataType: String, _ key: String, status: Int = 403, message: String = "Forbidden") {
        state.withLock { $0.keyFailures[dataType, default: [:]][key] = KeyFailure(status: status, message: message) }
    }

    public func clearFailure(_ dataType: String, _ key: String) {
        state.withLock { $0.keyFailures[dataType]?[key] = nil }
    }

    /// Whether a refused object request's `info` names the key it refused (the default).
    public func nameKeysInRefusals(_ flag: Bool) { state.withLock { $0.refusalsNameKeys = flag } }

    /// The next `times` requests to `endpoint` answer `status`.
    public func fail(_ endpoint: String, status: Int, times: Int = 1) {
        state.withLock { $0.endpointFailures[endpoint] = EndpointFailure(status: status, remaining: times) }
    }

    /// Later requests need a fresh authentication (401 until then).
    public func expireToken() { state.withLock { $0.tokenGeneration += 1 } }

    /// Catches the next `count` requests to `endpoint` until `release()`.
    public func hold(_ endpoint: String, count: Int = 1) -> Hold {
        let hold = Hold(count: count)
        state.withLock { $0.holds[endpoint] = hold }
        return hold
    }

    // MARK: Counting

    public func requests(_ endpoint: String) -> Int { state.withLock { $0.bodies[endpoint]?.count ?? 0 } }

    public func requestBodies(_ endpoint: String) -> [JSONValue] { state.withLock { $0.bodies[endpoint] ?? [] } }

    /// The URL of every request that arrived, in order.
    public func urls() -> [String] { state.withLock { $0.urls } }

    // MARK: HTTP

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        state.withLock { $0.urls.append(request.url) }
        guard let endpoint = endpointName(request.url) else {
            return Self.error(404, "Not found", endpoint: request.url)
        }
        let body = (try? JSONValue.parse(Array(request.body ?? Data()))) ?? .object([:])
        let bearer = request.headers.first { $0.name.lowercased() == "authorization" }?.value
        let (response, hold) = state.withLock { state -> (HTTPResponse, Hold?) in
            state.bodies[endpoint, default: []].append(body)
            let hold = state.holds[endpoint].flatMap { $0.catchRequest() ? $0 : nil }
            if var failure = state.endpointFailures[endpoint], failure.remaining > 0 {
                failure.remaining -= 1
                state.endpointFailures[endpoint] = failure
                return (Self.error(failure.status, "Scripted failure", endpoint: endpoint), hold)
            }
            return (respond(&state, endpoint: endpoint, body: body, bearer: bearer), hold)
        }
        if let hold { await hold.wait() }
        return response
    }

    /// `https://unicat.test/api/p/<gid>/records/get` → `records/get`, `/api/users/get` →
    /// `//users/get`, `/sync/get` → `sync/get`; a foreign project's path is not ours.
    private func endpointName(_ url: String) -> String? {
        guard url.hasPrefix(Self.baseURL) else { return nil }
        let path = url.dropFirst(Self.baseURL.count)
        if path.hasPrefix("/api/p/\(project)/") { return String(path.dropFirst("/api/p/\(project)/".count)) }
        if path.hasPrefix("/api/p/") { return nil }
        if path.hasPrefix("/api/") { return "//" + path.dropFirst("/api/".count) }
        if path.hasPrefix("/sync/") { return String(path.dropFirst(1)) }
        return nil
    }

    private func respond(_ state: inout State, endpoint: String, body: JSONValue, bearer: String?) -> HTTPResponse {
        if endpoint == "auth" {
            guard body["api_key"]?.stringValue == apiKey else { return Self.error(403, "Unknown user", endpoint: endpoint) }
            var response = Self.success(initResult(state), data: initData(state))
            response.headers["authorization"] = token(state)
            return response
        }
        guard bearer == "Bearer \(token(state))" else {
            var response = Self.error(401, "Unauthorized", endpoint: endpoint)
            response.headers["www-authenticate"] = "Bearer realm=\"JWT access to Unicat.\""
            return response
        }
        switch endpoint {
        case "init":
            return Self.success(initResult(state), data: initData(state))
        case "sync/get":
            return syncPage(state, body)
        case "sync/cursors":
            return Self.success(["cc.cursor": .int(state.cursors.cc), "cursor": .int(state.cursors.project)])
        case "//members/get":
            let key = "\(body["project"]?.stringValue ?? "")/\(body["member"]?.stringValue ?? "")"
            return objects(state, dataType: "cc.projects_members", keys: [key], endpoint: endpoint)
        default:
            guard let (dataType, plural, singular) = Self.objectEndpoints[endpoint] else {
                return Self.error(404, "Not found", endpoint: endpoint)
            }
            let keys = body[plural]?.arrayValue?.compactMap(\.stringValue) ?? body[singular]?.stringValue.map { [$0] } ?? []
            return objects(state, dataType: dataType, keys: keys, endpoint: endpoint)
        }
    }

    /// Object endpoints: data type, plural and singular parameter.
    private static let objectEndpoints: [String: (String, String, String)] = [
        "records/get": ("records", "records", "record"), "assets/get": ("assets", "assets", "asset"),
        "definitions/get": ("definitions", "definitions", "definition"), "classes/get": ("classes", "classes", "class"),
        "fields/get": ("fields", "fields", "field"), "layouts/get": ("layouts", "layouts", "layout"),
        "queries/get": ("queries", "queries", "query"), "modules/get": ("modules", "modules", "module"),
        "//users/get": ("cc.users", "users", "user"), "//projects/get": ("cc.projects", "projects", "project"),
    ]

    private func objects(_ state: State, dataType: String, keys: [String], endpoint: String) -> HTTPResponse {
        guard !keys.isEmpty else { return Self.error(400, "Bad request", endpoint: endpoint, info: ["Missing parameter": "keys"]) }
        for key in keys {
            if let failure = state.keyFailures[dataType]?[key] {
                return Self.error(failure.status, failure.message, endpoint: endpoint, info: state.refusalsNameKeys ? ["key": .string(key)] : [:])
            }
        }
        var found: [String: JSONValue] = [:]
        for key in keys {
            guard let object = state.objects[dataType]?[key] else {
                return Self.error(422, "\(dataType) not found", endpoint: endpoint, info: state.refusalsNameKeys ? ["key": .string(key)] : [:])
            }
            found[key] = object
        }
        if dataType == "cc.projects_members" {
            return Self.success([:], data: [dataType: .array(keys.compactMap { found[$0] })])
        }
        return Self.success([:], data: [dataType: .object(found)])
    }

    private func syncPage(_ state: State, _ body: JSONValue) -> HTTPResponse {
        guard let cc = body["cc_cursor"]?.int64Value else {
            return Self.error(400, "Bad request", endpoint: "sync/get", info: ["Missing parameter": "cc_cursor"])
        }
        let wantsProject = body["project"]?.stringValue
        if let wantsProject, wantsProject != project { return Self.error(403, "Forbidden", endpoint: "sync/get") }
        let cursor = body["cursor"]?.int64Value ?? 0
        if cc < state.pruned.cc {
            return Self.error(422, "Unprocessable Entity", endpoint: "sync/get",
                              info: ["Cursor too old": "cc_cursor", "oldest_cursor": .int(state.pruned.cc)])
        }
        if wantsProject != nil, cursor < state.pruned.project {
            return Self.error(422, "Unprocessable Entity", endpoint: "sync/get",
                              info: ["Cursor too old": "cursor", "oldest_cursor": .int(state.pruned.project)])
        }
        let after = state.log.filter { item in
            item.stream == .cc ? item.cursor > cc : (wantsProject != nil && item.cursor > cursor)
        }
        var result: [String: JSONValue] = ["sync": .array(after.prefix(state.pageSize).map(\.json))]
        if after.count > state.pageSize { result["warning"] = "more sync data available" }
        return Self.success(.object(result))
    }

    private func initResult(_ state: State) -> JSONValue {
        let members = (state.objects["cc.projects_members"] ?? [:]).values.compactMap { membership -> String? in
            membership["project_gid"]?.stringValue == project ? membership["user_gid"]?.stringValue : nil
        }.sorted()
        return [
            "user": .string(user), "user_projects": [project: ["api"]], "project": .string(project),
            "project_members": .array(members.map { .string($0) }), "last_backed_up": state.lastBackedUp,
            "cc.version": .string(state.ccVersion), "cc.cursor": .int(state.cursors.cc), "cursor": .int(state.cursors.project),
        ]
    }

    private func initData(_ state: State) -> JSONValue {
        var data: [String: JSONValue] = [:]
        for dataType in BridgeStore.unicatInitDataTypes {
            let objects = state.objects[dataType] ?? [:]
            data[dataType] = dataType == "cc.projects_members"
                ? .array(objects.keys.sorted().compactMap { objects[$0] }) : .object(objects)
        }
        return .object(data)
    }

    private func token(_ state: State) -> String { "scripted-jwt-\(state.tokenGeneration)" }

    private static func success(_ result: JSONValue, data: JSONValue = [:]) -> HTTPResponse {
        let body: JSONValue = ["success": true, "result": result, "data": data]
        return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Array(body.encoded()))
    }

    private static func error(_ status: Int, _ message: String, endpoint: String, info: JSONValue = [:]) -> HTTPResponse {
        let body: JSONValue = ["success": false, "result": ["code": .int(Int64(status)), "message": .string(message), "info": info], "data": [:]]
        return HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Array(body.encoded()))
    }
}

extension ScriptedUpstream {
    /// Requests caught by `ScriptedUpstream.hold`: answered as of their arrival, sent on
    /// `release()`.
    public final class Hold: Sendable {
        private struct State {
            var uncaught: Int
            var released = false
            var held: [CheckedContinuation<Void, Never>] = []
            var arrivalWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        }

        private let state: Locked<State>

        init(count: Int) { state = Locked(State(uncaught: count)) }

        /// Takes one more request, while the hold has room and was not released.
        func catchRequest() -> Bool {
            state.withLock { state in
                guard !state.released, state.uncaught > 0 else { return false }
                state.uncaught -= 1
                return true
            }
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                let arrived = state.withLock { state -> [CheckedContinuation<Void, Never>]? in
                    if state.released { return nil }
                    state.held.append(continuation)
                    let ready = state.arrivalWaiters.filter { $0.count <= state.held.count }.map(\.continuation)
                    state.arrivalWaiters.removeAll { $0.count <= state.held.count }
                    return ready
                }
                guard let arrived else { return continuation.resume() }
                for waiter in arrived { waiter.resume() }
            }
        }

        /// Returns once `count` requests are waiting on this hold.
        public func arrived(count: Int = 1) async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.held.count >= count || state.released { return true }
                    state.arrivalWaiters.append((count, continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        }

        /// Lets the caught requests (and any later ones) through.
        public func release() {
            let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.released = true
                let waiting = state.held + state.arrivalWaiters.map(\.continuation)
                state.held = []
                state.arrivalWaiters = []
                return waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }
}
