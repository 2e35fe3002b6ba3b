import BridgeCore
import BridgePluginKit
import Foundation

/// The real `unicat-bridge` binary running against a simulator, with its own state
/// directory and its stderr captured.
public final class BridgeProcess: Sendable {
    public let child: ChildProcess
    public let stateDirectory: URL
    private let requestIDs = Locked<Int64>(0)

    /// Starts `unicat-bridge run` configured through the environment (as a first run
    /// would be), plus an optional YAML config file for the settings only a file has.
    public static func start(
        simulator: SimulatorProcess, stateDirectory: URL, configYAML: String? = nil,
        arguments: [String] = [], environment: [String: String] = [:], apiKey: String? = nil
    ) throws -> BridgeProcess {
        var env = ProcessInfo.processInfo.environment
        env["UNICAT_URL"] = simulator.url
        env["UNICAT_PROJECT"] = simulator.project
        env["UNICAT_API_KEY"] = apiKey ?? simulator.apiKey
        env["UNICAT_BRIDGE_STATE_DIR"] = stateDirectory.path
        env.merge(environment) { $1 }
        var args = ["run"] + arguments
        if let configYAML {
            let file = stateDirectory.deletingLastPathComponent().appendingPathComponent("bridge-\(UUID().uuidString.prefix(6)).yaml")
            try configYAML.write(to: file, atomically: true, encoding: .utf8)
            args += ["--config", file.path]
        }
        return try run(args, environment: env, stateDirectory: stateDirectory)
    }

    /// Runs the binary with exactly these arguments and environment.
    public static func run(_ arguments: [String], environment: [String: String], stateDirectory: URL) throws -> BridgeProcess {
        try FileManager.default.createDirectory(at: stateDirectory.deletingLastPathComponent(), withIntermediateDirectories: true)
        let log = stateDirectory.deletingLastPathComponent().appendingPathComponent("bridge-\(UUID().uuidString.prefix(6)).log")
        let child = try ChildProcess(executable: RepositoryPaths.bridgeExecutable, arguments: arguments,
                                     environment: environment, stderrLog: log)
        return BridgeProcess(child: child, stateDirectory: stateDirectory)
    }

    private init(child: ChildProcess, stateDirectory: URL) {
        self.child = child
        self.stateDirectory = stateDirectory
    }

    public var log: String { child.stderrText() }

    /// For a bridge started with `--stdio`: sends one JSON-RPC request and returns its
    /// `result`, skipping notifications before the answer; an error answer throws.
    public func request(_ method: String, _ params: JSONValue = [:], timeout: Duration = .seconds(30)) async throws -> JSONValue {
        let id = requestIDs.withLock { id -> Int64 in
            id += 1
            return id
        }
        var message = JSONValue.object(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params]).encoded()
        message.append(UInt8(ascii: "\n"))
        child.stdin.fileHandleForWriting.write(message)
        while true {
            let answer = try JSONValue.parse(try await child.readLine(timeout: timeout))
            guard answer["id"] == .int(id) else { continue }
            guard let result = answer["result"] else {
                throw TimeoutError(description: "\(method) failed: \(answer["error"]?.encodedString() ?? answer.encodedString())")
            }
            return result
        }
    }

    /// Waits until the bridge's log contains `text`.
    public func waitForLog(_ text: String, timeout: Duration = .seconds(60)) async throws {
        try await eventually(timeout: timeout, "bridge log to contain \"\(text)\"; log:\n\(child.stderrTail(lines: 40))") {
            if !self.child.isRunning && !self.log.contains(text) {
                throw TimeoutError(description: "bridge exited (\(self.child.process.terminationStatus)) before logging \"\(text)\":\n\(self.child.stderrTail(lines: 40))")
            }
            return self.log.contains(text)
        }
    }

    /// The bridge's store, opened read-only beside the running process.
    public func store() throws -> BridgeStore {
        try BridgeStore(directory: stateDirectory.path, journalLimit: 1_000_000, readOnly: true)
    }

    /// Waits until the bridge's committed cursors equal the simulator's latest.
    public func waitUntilCaughtUp(with simulator: SimulatorProcess, timeout: Duration = .seconds(90)) async throws {
        try await eventually(timeout: timeout, "the bridge to catch up; log:\n\(child.stderrTail(lines: 30))") {
            let truth = try await simulator.control("/cursors")
            guard let stored = try? self.store().storedState() else { return false }
            return stored.position.cursors.cc == truth["cc.cursor"]?.int64Value
                && stored.position.cursors.project == truth["cursor"]?.int64Value
        }
    }

    @discardableResult
    public func stop() async -> Int32? { await child.stop() }

    public func kill9() async {
        child.signal(SIGKILL)
        _ = await child.waitForExit(timeout: .seconds(10))
    }
}
