import BridgeCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The Unicat simulator (`Tests/UnicatSimulator/unicat-sim`) running as a separate process,
/// with its control API at hand.
public final class SimulatorProcess: Sendable {
    public let child: ChildProcess
    public let url: String
    public let project: String
    public let apiKey: String
    public let controlURL: String
    public let directory: TemporaryDirectory

    /// Starts the simulator on a free loopback port. `arguments` are extra options
    /// (e.g. `["--activity", "5"]`).
    public static func start(_ arguments: [String] = [], directory: TemporaryDirectory? = nil) async throws -> SimulatorProcess {
        let directory = try directory ?? TemporaryDirectory(prefix: "unicat-sim")
        let child = try ChildProcess(
            executable: RepositoryPaths.simulatorExecutable,
            arguments: ["--host", "127.0.0.1", "--port", "0"] + arguments,
            stderrLog: directory.file("simulator-\(UUID().uuidString.prefix(6)).log")
        )
        // The first run may create the simulator's virtualenv.
        let line = try await child.readLine(timeout: .seconds(600))
        let ready = try JSONValue.parse(line)
        guard let url = ready["url"]?.stringValue, let project = ready["project"]?.stringValue,
              let apiKey = ready["api_key"]?.stringValue, let control = ready["control"]?.stringValue
        else {
            await child.stop()
            throw TimeoutError(description: "simulator printed an unexpected ready line: \(line)")
        }
        return SimulatorProcess(child: child, url: url, project: project, apiKey: apiKey,
                                controlURL: control, directory: directory)
    }

    private init(child: ChildProcess, url: String, project: String, apiKey: String, controlURL: String,
                 directory: TemporaryDirectory) {
        self.child = child
        self.url = url
        self.project = project
        self.apiKey = apiKey
        self.controlURL = controlURL
        self.directory = directory
    }

    public func stop() async {
        await child.stop()
    }

    /// Calls the control API: POST with a JSON body, or GET when `body` is nil and
    /// `method` is "GET".
    @discardableResult
    public func control(_ path: String, _ body: JSONValue? = nil, method: String? = nil) async throws -> JSONValue {
        try await Self.http(method: method ?? (body == nil ? "GET" : "POST"), url: controlURL + path, body: body).json
    }

    /// A plain HTTP request to the simulator, for tests of the simulator's API itself.
    public static func http(method: String, url: String, body: JSONValue? = nil,
                            headers: [String: String] = [:]) async throws -> (status: Int, headers: [String: String], json: JSONValue) {
        guard let target = URL(string: url) else { throw TimeoutError(description: "bad URL \(url)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let body {
            request.httpBody = body.encoded()
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var responseHeaders: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            responseHeaders[String(describing: name).lowercased()] = String(describing: value)
        }
        let json = (try? JSONValue.parse(Array(data))) ?? .string(String(decoding: data, as: UTF8.self))
        return (http?.statusCode ?? 0, responseHeaders, json)
    }
}
