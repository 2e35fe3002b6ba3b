import BridgeCore
import Foundation

/// A simulator and a bridge running against it, each in its own process, with a private
/// temporary directory; everything is stopped and removed afterwards.
public final class SessionFixture: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let simulator: SimulatorProcess
    public private(set) var bridge: BridgeProcess?
    public let configYAML: String?

    public var stateDirectory: URL { directory.file("state") }

    /// Runs `body` with a fresh simulator (started with `simulatorArguments`) and, unless
    /// `startBridge` is false, a bridge that has finished its initial sync.
    public static func with<T>(
        simulatorArguments: [String] = [], configYAML: String? = nil, startBridge: Bool = true,
        _ body: (SessionFixture) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory(prefix: "unicat-e2e")
        let simulator = try await SimulatorProcess.start(simulatorArguments, directory: directory)
        let fixture = SessionFixture(directory: directory, simulator: simulator, configYAML: configYAML)
        do {
            if startBridge { try await fixture.startBridge() }
            let result = try await body(fixture)
            await fixture.tearDown()
            return result
        } catch {
            await fixture.tearDown()
            throw error
        }
    }

    private init(directory: TemporaryDirectory, simulator: SimulatorProcess, configYAML: String?) {
        self.directory = directory
        self.simulator = simulator
        self.configYAML = configYAML
    }

    /// Starts (or restarts) the bridge on the same state directory and waits until it
    /// has caught up with the simulator.
    @discardableResult
    public func startBridge(waitForCatchUp: Bool = true) async throws -> BridgeProcess {
        let bridge = try BridgeProcess.start(simulator: simulator, stateDirectory: stateDirectory, configYAML: configYAML,
                                             environment: ["UNICAT_BRIDGE_LOG_LEVEL": "debug"])
        self.bridge = bridge
        if waitForCatchUp { try await bridge.waitUntilCaughtUp(with: simulator) }
        return bridge
    }

    public func requireBridge() throws -> BridgeProcess {
        guard let bridge else { throw TimeoutError(description: "no bridge running") }
        return bridge
    }

    /// Makes `count` changes in the simulator; returns its cursors afterwards.
    @discardableResult
    public func change(_ count: Int, dataType: String = "records", action: String = "UPDATE") async throws -> JSONValue {
        try await simulator.control("/changes", ["count": .int(Int64(count)), "data_type": .string(dataType), "action": .string(action)])
    }

    /// Stops the bridge with SIGTERM and returns its exit status.
    @discardableResult
    public func stopBridge() async -> Int32? {
        let status = await bridge?.stop()
        bridge = nil
        return status
    }

    public func tearDown() async {
        await bridge?.stop()
        await simulator.stop()
        directory.remove()
    }
}
