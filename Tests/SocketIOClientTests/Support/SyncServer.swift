import BridgeTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Unicat simulator as seen by these tests: its socket.io feed at `/sync/io`, JWTs from
/// `POST /api/p/{project}/auth`, and its control API.
struct SyncServer: Sendable {
    let url: String
    let project: String
    let apiKey: String
    let controlURL: String
    private let stopper: @Sendable () async -> Void

    static func start(_ arguments: [String] = []) async throws -> SyncServer {
        let simulator = try await SimulatorProcess.start(arguments)
        return SyncServer(url: simulator.url, project: simulator.project, apiKey: simulator.apiKey,
                          controlURL: simulator.controlURL,
                          stopper: { await simulator.stop(); simulator.directory.remove() })
    }

    func stop() async {
        await stopper()
    }

    /// Runs `body` with a fresh simulator, stopping it afterwards whatever happens.
    static func with<T>(_ arguments: [String] = [], _ body: (SyncServer) async throws -> T) async throws -> T {
        let server = try await start(arguments)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A fresh JWT for the simulator's API key. Over https it uses the curl CLI, because
    /// URLSession on Linux cannot be told to trust a test CA.
    func jwt(caFile: String? = nil) async throws -> String {
        let authURL = "\(url)/api/p/\(project)/auth"
        let body = try JSONSerialization.data(withJSONObject: ["api_key": apiKey])
        let headers: [String: String]
        if let caFile {
            headers = try Self.curlPost(authURL, body: body, caFile: caFile)
        } else {
            headers = try await Self.post(authURL, body: body).headers
        }
        guard let token = headers["authorization"], !token.isEmpty else {
            throw TestFailure("no Authorization header from \(authURL): \(headers)")
        }
        return token.hasPrefix("Bearer ") ? String(token.dropFirst(7)) : token
    }

    /// POSTs JSON to the control API; returns the decoded JSON object.
    @discardableResult
    func control(_ path: String, _ object: [String: Any] = [:]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: object)
        let (status, _, data) = try await Self.post(controlURL + path, body: body)
        guard status == 200 else {
            throw TestFailure("control \(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// The `initsync` arguments for the simulator's current cursors (which also subscribes
    /// the socket to the project's items).
    func initsyncArguments(fromStart: Bool = false) async throws -> String {
        if fromStart { return #"[{"cc_cursor":0,"project":"\#(project)","cursor":0}]"# }
        let (_, _, data) = try await Self.get(controlURL + "/cursors")
        let cursors = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        let cc = fromStart ? 0 : (cursors["cc.cursor"] as? Int ?? 0)
        let cursor = fromStart ? 0 : (cursors["cursor"] as? Int ?? 0)
        return #"[{"cc_cursor":\#(cc),"project":"\#(project)","cursor":\#(cursor)}]"#
    }

    static func post(_ url: String, body: Data) async throws -> (status: Int, headers: [String: String], body: Data) {
        guard let target = URL(string: url) else { throw TestFailure("bad URL \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        return try await send(request)
    }

    static func get(_ url: String) async throws -> (status: Int, headers: [String: String], body: Data) {
        guard let target = URL(string: url) else { throw TestFailure("bad URL \(url)") }
        return try await send(URLRequest(url: target))
    }

    private static func send(_ request: URLRequest) async throws -> (status: Int, headers: [String: String], body: Data) {
        var request = request
        request.timeoutInterval = 30
        // No idle keep-alive connection left behind to slow the simulator's shutdown.
        request.setValue("close", forHTTPHeaderField: "Connection")
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        return (http?.statusCode ?? 0, headers, data)
    }

    /// `curl --cacert` POST returning the response headers (lower-cased names).
    private static func curlPost(_ url: String, body: Data, caFile: String) throws -> [String: String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-sS", "--max-time", "30", "--cacert", caFile, "-X", "POST",
                             "-H", "Content-Type: application/json", "--data-binary", "@-", "-D", "-", "-o", "/dev/null", url]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(body)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("curl \(url) failed with status \(process.terminationStatus)")
        }
        var headers: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }
}
