import ArgumentParser
import BridgeCore
import BridgePluginKit
import Foundation

/// The flags every client command (status, init, get, call, tail) shares: where the
/// bridge's socket is, how long to wait, and the output format.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The bridge's Unix socket (env UNICAT_BRIDGE_SOCKET; default: transports.unix.path of --config, else $XDG_RUNTIME_DIR/unicat-bridge/bridge.sock if it exists, else /run/unicat-bridge/bridge.sock).",
        valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("The bridge's configuration file, to find its socket (transports.unix.path).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: "Seconds to wait for an answer.")
    var timeout: Double = 60

    @Flag(name: .long, help: "Output for scripts: one JSON document (tail: one JSON object per line).")
    var json = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    /// The socket paths to try, in order.
    func socketCandidates() throws -> [String] {
        if let socket { return [socket] }
        let environment = ProcessInfo.processInfo.environment
        if let socket = environment["UNICAT_BRIDGE_SOCKET"], !socket.isEmpty { return [socket] }
        if let config, let path = try ConfigurationFile.load(path: config).transports?["unix"]?["path"]?.stringValue {
            return [path]
        }
        let system = UnixSocketAddress.defaultPath(xdgRuntimeDirectory: nil)
        let personal = UnixSocketAddress.defaultPath(xdgRuntimeDirectory: environment["XDG_RUNTIME_DIR"])
        return personal == system ? [system] : [personal, system]
    }

    /// Connects, runs `body`, and turns every failure into its message and exit status.
    func withClient(_ body: (BridgeClient) throws -> Void) throws {
        do {
            try body(try BridgeClient(candidates: socketCandidates()))
        } catch let error as BridgeClientError {
            Diagnostics.error(error.description)
            throw ExitCode(error.exitStatus)
        } catch let error as ConfigurationError {
            Diagnostics.error(error.description)
            throw ExitCode(ExitStatus.configuration)
        }
    }
}
