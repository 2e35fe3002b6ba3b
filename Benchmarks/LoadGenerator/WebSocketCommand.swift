import CLibWebSockets
import ArgumentParser
import Foundation

/// `bridge-loadgen ws URL`: N WebSocket subscribers, ordering checks, latency, own CPU.
struct WebSocketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws",
        abstract: "Open N WebSocket subscribers and measure what they receive.",
        discussion: """
            Events go to stdout as JSON lines (connected, reached, dropped, report, summary). With \
            --commands, stdin takes one command per line: report LABEL, wait CURSOR [TIMEOUT], drop, \
            resume, stop (EOF = stop).
            """
    )

    @Argument(help: "ws://IP:PORT[/path] or wss://IP:PORT[/path] (IP literals: no DNS).")
    var url: String

    @Option(help: "Connections to open.")
    var connections = 100

    @Option(help: "lws contexts, one service thread each.")
    var threads = 1

    @Option(help: "feed (GET /feed?types=…), rpc (sync.subscribe on /) or none (the URL's path as is).")
    var subscribe: SubscribeMode = .feed

    @Option(help: "Comma-separated data types to subscribe to.")
    var types = "records"

    @Option(help: "Comma-separated keys to subscribe to.")
    var keys = ""

    @Flag(help: "Ask for each changed object (include_objects).")
    var includeObjects = false

    @Option(help: "Sec-WebSocket-Protocol to ask for (e.g. lws-mirror-protocol).")
    var subprotocol: String?

    @Option(help: "PEM CA bundle that verifies a wss:// server.")
    var caFile: String?

    @Option(help: "Handshakes in flight at once.")
    var connectConcurrency = 200

    @Option(help: "Fraction of connections that stop reading after their first message.")
    var stallFraction = 0.0

    @Option(help: "Mirror reference: connection 0 sends this many numbered change messages.")
    var sendCount: Int?

    @Option(help: "Mirror reference: messages per second (0: as fast as the server takes them).")
    var sendRate = 0.0

    @Option(help: "The simulator's control URL (http://IP:PORT): latency from its /log appended_at.")
    var control: String?

    @Option(help: "Stop this many seconds after all connections have settled.")
    var duration: Double?

    @Option(help: "Stop after this many items in total.")
    var items: Int?

    @Flag(help: "Follow commands on stdin.")
    var commands = false

    @Option(help: "At most this many connections keep per-item arrival times (latency samples).")
    var sampleConnections = 1_000

    @Option(help: "Also write the summary to this file.")
    var summary: String?

    func validate() throws {
        guard TargetURL(parsing: url) != nil else { throw ValidationError("expected ws://IP:PORT[/path] or wss://…, got \(url)") }
        guard connections >= 1, threads >= 1, connectConcurrency >= 1, sampleConnections >= 1 else {
            throw ValidationError("counts must be positive")
        }
        guard (0...1).contains(stallFraction) else { throw ValidationError("--stall-fraction must be within 0…1") }
        guard commands || duration != nil || items != nil else {
            throw ValidationError("give --duration, --items or --commands, so the run ends")
        }
    }

    func run() throws {
        guard let target = TargetURL(parsing: url) else { throw ExitCode.validationFailure }
        lws_set_log_level(LLL_ERR | LLL_WARN, nil)
        let fileLimit = ProcessUsage.raiseFileLimit()
        let plan = RunPlan(
            url: target, connections: connections, threads: threads, mode: subscribe,
            types: Self.list(types), keys: Self.list(keys), includeObjects: includeObjects,
            subprotocol: subprotocol, caFile: caFile, connectConcurrency: connectConcurrency,
            stalled: Self.stalledConnections(connections, fraction: stallFraction, skipFirst: sendCount != nil),
            sampledEvery: max(1, (connections + sampleConnections - 1) / sampleConnections),
            sender: sendCount.map { SenderPlan(count: $0, rate: sendRate) })
        let source: LatencySource
        if let control {
            source = .simulatorLog(try SimulatorLog(controlURL: control))
        } else {
            source = sendCount == nil ? .none : .sender
        }
        let controller = RunController(
            plan: plan, stop: .init(duration: duration, items: items, commands: commands), source: source,
            fileLimit: fileLimit)
        let result = controller.run()
        EventOutput.emit(result)
        if let summary {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try encoder.encode(result).write(to: URL(fileURLWithPath: summary))
        }
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Evenly spread over the connections, so stalled ones share every worker.
    private static func stalledConnections(_ count: Int, fraction: Double, skipFirst: Bool) -> Set<Int> {
        let stalled = Int((Double(count) * fraction).rounded())
        guard stalled > 0 else { return [] }
        let offset = skipFirst ? 1 : 0
        return Set((0..<stalled).map { offset + $0 * (count - offset) / stalled })
    }
}
