import ArgumentParser
import BridgeCore

/// The flags that add a transport without a config section, shared by `run` and
/// `check-config` so that both judge the same configuration.
struct TransportFlags: ParsableArguments {
    @Flag(name: .long, help: "Serve the bridge protocol on stdin/stdout (for editors that spawn the bridge); stdin EOF stops the bridge.")
    var stdio = false

    @Option(name: .long, help: ArgumentHelp("Serve the bridge protocol, the dashboard, /healthz and /metrics over WebSocket/HTTP on this address (unless the configuration has a transports.websocket section).", valueName: "HOST:PORT"))
    var websocket: String?

    @Option(name: .long, help: ArgumentHelp("Serve the bridge protocol on a Unix-domain socket at this path (when the configuration has no transports.unix section).", valueName: "path"))
    var unix: String?

    /// `transports` with the sections these flags add where the configuration has none.
    func applied(to transports: [String: JSONValue]) -> [String: JSONValue] {
        var transports = transports
        if stdio, transports["stdio"] == nil { transports["stdio"] = .object([:]) }
        if let websocket, transports["websocket"] == nil {
            transports["websocket"] = .object(["listen": .array([.string(websocket)])])
        }
        if let unix, transports["unix"] == nil { transports["unix"] = ["path": .string(unix)] }
        return transports
    }
}
