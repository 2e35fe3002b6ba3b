import BridgeCore
import BridgePluginKit
import Foundation
import Logging

/// Zou as an in-process `HTTPTransport`, for tests that need to decide what Zou answers
/// and when: login, token lifetimes and refusals, the event log (`/data/events/last`,
/// with Zou's whole-second times, newest first, `after` exclusive), objects by route, and
/// the production's lists. Tokens look like Zou's JWTs to the bridge (their claims are
/// readable) but are not signed.
public final class ScriptedZou: HTTPTransport, Sendable {
    public static let baseURL = "http://zou.invalid"
    public static let email = "admin@example.com"
    public static let password = "correct horse battery staple"

    public struct LogRow: Sendable {
        public var id: String
        public var createdAt: String
        public var name: String
        public var data: JSONValue
    }

    private struct State {
        var accessLifetime: Double = 3600
        /// Access tokens Zou accepts, with when they expire.
        var validAccess: [String: Double] = [:]
        var validRefresh: Set<String> = []
        var logins = 0
        var refreshes = 0
        /// Requests refused for their access token (401).
        var refusals = 0
        var log: [LogRow] = []
        var logReadable = true
        /// Objects by route and id, e.g. `["/data/assets": ["<id>": {...}]]`.
        var objects: [String: [String: JSONValue]] = [:]
        var requests: [String] = []
    }

    public let project = "6f6c1e6e-0000-4000-8000-000000000001"
    private let state = Locked(State())

    public init() {}

    /// A session with this Zou as the scripted account (`password` may be a wrong one), its
    /// logs quiet; `clock` stands for the session's view of the time.
    public func session(password: String = ScriptedZou.password, retry: RetryPolicy = RetryPolicy(),
                        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) -> ZouSession {
        ZouSession(baseURL: Self.baseURL, email: Self.email, password: Secret(password), transport: self,
                   retry: retry, logger: Self.quietLogger, clock: clock)
    }

    public static var quietLogger: Logger {
        var logger = Logger(label: "scripted-zou")
        logger.logLevel = .critical
        return logger
    }

    // MARK: Scripting

    public var logins: Int { state.withLock { $0.logins } }
    public var refreshes: Int { state.withLock { $0.refreshes } }
    public var refusals: Int { state.withLock { $0.refusals } }
    public var requests: [String] { state.withLock { $0.requests } }

    /// Access tokens minted from now on live this long.
    public func setAccessLifetime(_ seconds: Double) { state.withLock { $0.accessLifetime = seconds } }
    /// Every access token minted so far is refused from now on (401).
    public func revokeAccessTokens() { state.withLock { $0.validAccess.removeAll() } }
    public func revokeRefreshTokens() { state.withLock { $0.validRefresh.removeAll() } }
    /// The account may not read the event log (a non-manager): 403.
    public func setLogReadable(_ readable: Bool) { state.withLock { $0.logReadable = readable } }

    public func put(_ route: String, _ object: JSONValue) {
        guard let id = object["id"]?.stringValue else { return }
        state.withLock { $0.objects[route, default: [:]][id] = object }
    }

    public func remove(_ route: String, _ id: String) { state.withLock { _ = $0.objects[route]?.removeValue(forKey: id) } }

    /// Appends a row to the event log, as Zou's `save_event` does after publishing.
    @discardableResult
    public func logEvent(_ name: String, _ data: JSONValue, at createdAt: String, id: String = UUID().uuidString.lowercased()) -> LogRow {
        let row = LogRow(id: id, createdAt: createdAt, name: name, data: data)
        state.withLock { $0.log.append(row) }
        return row
    }

    /// Deletes the log's rows older than `time`, as Zou's clean-up of old events does.
    public func deleteLogRows(before time: String) { state.withLock { $0.log.removeAll { $0.createdAt < time } } }

    // MARK: HTTPTransport

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let target = String(request.url.dropFirst(Self.baseURL.count))
        let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        let query = Self.query(of: target)
        let bearer = request.headers.first { $0.name == "Authorization" }?.value.replacingOccurrences(of: "Bearer ", with: "")
        return state.withLock { state in
            state.requests.append("\(request.method) \(path)")
            switch (request.method, path) {
            case ("POST", "/auth/login"):
                let body = request.body.flatMap { try? JSONValue.parse(Array($0)) }
                guard body?["email"]?.stringValue == Self.email, body?["password"]?.stringValue == Self.password else {
                    return Self.answer(400, ["login": false, "message": "Wrong email or password."])
                }
                state.logins += 1
                let (access, expiry) = Self.token(lifetime: state.accessLifetime, type: "access")
                let refresh = Self.token(lifetime: 15 * 86_400, type: "refresh").token
                state.validAccess[access] = expiry
                state.validRefresh.insert(refresh)
                return Self.answer(200, ["login": true, "access_token": .string(access), "refresh_token": .string(refresh)])
            case ("GET", "/auth/refresh-token"):
                guard let bearer, state.validRefresh.contains(bearer) else {
                    return Self.answer(401, ["msg": "Token has been revoked"])
                }
                state.refreshes += 1
                let (access, expiry) = Self.token(lifetime: state.accessLifetime, type: "access")
                state.validAccess[access] = expiry
                return Self.answer(200, ["access_token": .string(access)])
            default:
                guard let bearer, let expiry = state.validAccess[bearer] else {
                    state.refusals += 1
                    return Self.answer(401, ["msg": "Token has been revoked"])
                }
                guard expiry > Date().timeIntervalSince1970 else {
                    state.refusals += 1
                    return Self.answer(401, ["error": true, "message": "Signature has expired"])
                }
                return Self.serve(path, query, &state)
            }
        }
    }

    private static func serve(_ path: String, _ query: [String: String], _ state: inout State) -> HTTPResponse {
        if path == "/data/events/last" {
            guard state.logReadable else { return answer(403, ["message": "You are not allowed to perform this action."]) }
            // Newest first. Zou's times have microseconds (it only writes whole seconds):
            // rows of one second stay in the order they were written.
            var rows = Array(state.log.enumerated().sorted { ($0.element.createdAt, $0.offset) > ($1.element.createdAt, $1.offset) }
                .map(\.element))
            if let after = query["after"] { rows = rows.filter { $0.createdAt > after } }
            if let before = query["before"] { rows = rows.filter { $0.createdAt < before } }
            if let cursor = query["cursor_event_id"], let index = rows.firstIndex(where: { $0.id == cursor }) {
                rows = Array(rows[(index + 1)...])
            }
            let limit = Int(query["limit"] ?? "100") ?? 100
            return answer(200, .array(rows.prefix(limit).map {
                ["id": .string($0.id), "created_at": .string($0.createdAt), "name": .string($0.name), "data": $0.data]
            }))
        }
        if let objects = state.objects[path] {
            return answer(200, .array(objects.keys.sorted().compactMap { objects[$0] }))
        }
        let route = (path as NSString).deletingLastPathComponent
        let id = (path as NSString).lastPathComponent
        if let object = state.objects[route]?[id] { return answer(200, object) }
        if route == "/data/projects" || ["/data/asset-types", "/data/assets", "/data/sequences", "/data/shots", "/data/tasks",
                                         "/data/task-types", "/data/task-status", "/data/persons"].contains(path) {
            return answer(200, path.hasPrefix("/data/projects/") ? ["id": .string(id)] : .array([]))
        }
        return answer(404, ["message": "not found"])
    }

    private static func answer(_ status: Int, _ body: JSONValue) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "application/json"], body: body.encodedBytes())
    }

    private static func query(of target: String) -> [String: String] {
        guard let mark = target.firstIndex(of: "?") else { return [:] }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { query[parts[0]] = parts[1] }
        }
        return query
    }

    /// `header.claims.signature` with readable claims, as the bridge reads Zou's, and when
    /// it expires.
    static func token(lifetime: Double, type: String) -> (token: String, expiry: Double) {
        let now = Date().timeIntervalSince1970
        let claims: JSONValue = ["type": .string(type), "sub": "7a4c17d2-0000-4000-8000-00000000000a", "iat": .double(now),
                                 "exp": .double(now + lifetime), "jti": .string(UUID().uuidString)]
        let encoded = Data(claims.encodedBytes()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return ("eyJhbGciOiJIUzI1NiJ9.\(encoded).c2ln", now + lifetime)
    }
}
