import ArgumentParser

/// The benchmark load generator: WebSocket subscribers on the libwebsockets client, and a
/// line-framed JSON-RPC client for the Unix socket and stdio. Driven by `Benchmarks/run`.
@main
struct BridgeLoadGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge-loadgen",
        abstract: "Load generator for unicat-bridge benchmarks (loopback only).",
        subcommands: [WebSocketCommand.self, LinesCommand.self]
    )
}

extension SubscribeMode: ExpressibleByArgument {}
