import BridgePluginKit
import ArgumentParser
import Foundation

/// `bridge-loadgen lines`: the line-framed transports (Unix socket, stdio). Either times
/// sequential requests, or subscribes and counts notifications.
struct LinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lines",
        abstract: "Request latency or notification throughput over a Unix socket or a pair of descriptors."
    )

    struct RequestSummary: Encodable {
        var requests: Int
        var errors: Int
        var latencyMs: LatencySummary
        var requestsPerSecond: Double
        var cpu: ProcessUsage
    }

    struct ThroughputSummary: Encodable {
        var messages: Int
        var items: Int
        var duplicates: Int
        var outOfOrder: Int
        /// From the first to the last notification.
        var seconds: Double
        var secondsFromSubscribe: Double
        var messagesPerSecond: Double
        var itemsPerSecond: Double
        var timedOut: Bool
        var cpu: ProcessUsage
    }

    @Option(help: "The bridge's Unix socket.")
    var unix: String?

    @Option(help: "READ,WRITE descriptors inherited from the driver (the bridge's stdout and stdin pipes).")
    var fds: String?

    @Option(help: "Requests: the method to call.")
    var method = "unicat.get"

    @Option(help: "Requests: its params (JSON).")
    var params = "{}"

    @Option(help: "Requests: how many to time.")
    var count = 1_000

    @Option(help: "Requests: untimed ones first.")
    var warmup = 100

    @Option(help: "Throughput: subscribe with these sync.subscribe params (JSON) and count notifications.")
    var subscribe: String?

    @Option(help: "Throughput: stop after this many items.")
    var expectItems = 1_000

    @Option(help: "Seconds to wait for any one answer, or for the items.")
    var timeout = 60.0

    @Option(help: "Also write the summary to this file.")
    var summary: String?

    func validate() throws {
        guard (unix == nil) != (fds == nil) else { throw ValidationError("give exactly one of --unix and --fds") }
    }

    func run() throws {
        let channel: LineChannel
        if let unix {
            channel = try LineChannel(unixPath: unix)
        } else {
            let parts = (fds ?? "").split(separator: ",").compactMap { Int32($0) }
            guard parts.count == 2 else { throw ValidationError("--fds takes READ,WRITE") }
            channel = LineChannel(readFD: parts[0], writeFD: parts[1])
        }
        if let subscribe {
            try write(measureThroughput(channel, params: subscribe))
        } else {
            try write(measureRequests(channel))
        }
    }

    private func write<Summary: Encodable>(_ result: Summary) throws {
        EventOutput.emit(result)
        if let summary {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try encoder.encode(result).write(to: URL(fileURLWithPath: summary))
        }
    }

    private func measureRequests(_ channel: LineChannel) throws -> RequestSummary {
        var latencies: [Double] = []
        var errors = 0
        let usageBefore = ProcessUsage.now()
        var timedStart = Clock.monotonicSeconds()
        for number in 1...(warmup + count) {
            if number == warmup + 1 { timedStart = Clock.monotonicSeconds() }
            let sentAt = Clock.monotonicSeconds()
            try channel.send("{\"jsonrpc\":\"2.0\",\"id\":\(number),\"method\":\(JSONStringLiteral.quote(method)),\"params\":\(params)}")
            var answered = false
            var failed = false
            while !answered {
                let got = try channel.nextLine(timeout: timeout) { line in
                    guard ChangeScanner.kind(of: line) == .response, ResponseID.of(line) == number else { return }
                    answered = true
                    failed = ResponseID.isError(line)
                }
                guard got else { throw LineChannel.Failure(description: "no answer to request \(number) within \(timeout) s") }
            }
            if number > warmup {
                latencies.append((Clock.monotonicSeconds() - sentAt) * 1_000)
                if failed { errors += 1 }
            }
        }
        let elapsed = Clock.monotonicSeconds() - timedStart
        let usage = ProcessUsage.now()
        return RequestSummary(requests: count, errors: errors, latencyMs: LatencySummary(milliseconds: latencies),
                              requestsPerSecond: Double(count) / max(elapsed, 1e-9),
                              cpu: ProcessUsage(userSeconds: usage.userSeconds - usageBefore.userSeconds,
                                                systemSeconds: usage.systemSeconds - usageBefore.systemSeconds))
    }

    private func measureThroughput(_ channel: LineChannel, params: String) throws -> ThroughputSummary {
        let usageBefore = ProcessUsage.now()
        let subscribedAt = Clock.monotonicSeconds()
        try channel.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sync.subscribe\",\"params\":\(params)}")
        var messages = 0
        var progress = StreamProgress()
        var ccProgress = StreamProgress()
        var first: Double?
        var last = subscribedAt
        var timedOut = false
        let deadline = subscribedAt + timeout
        while progress.items + ccProgress.items < expectItems {
            let remaining = deadline - Clock.monotonicSeconds()
            guard remaining > 0, try channel.nextLine(timeout: remaining, { line in
                guard ChangeScanner.kind(of: line) == .changes else { return }
                let now = Clock.monotonicSeconds()
                if first == nil { first = now }
                last = now
                messages += 1
                ChangeScanner.scanItems(line) { stream, cursor in
                    _ = stream == .project ? progress.record(cursor) : ccProgress.record(cursor)
                }
            }) else {
                timedOut = true
                break
            }
        }
        let span = last - (first ?? last)
        let items = progress.items + ccProgress.items
        let usage = ProcessUsage.now()
        return ThroughputSummary(
            messages: messages, items: items,
            duplicates: progress.duplicates + ccProgress.duplicates, outOfOrder: progress.outOfOrder + ccProgress.outOfOrder,
            seconds: span, secondsFromSubscribe: last - subscribedAt,
            messagesPerSecond: span > 0 ? Double(messages) / span : 0, itemsPerSecond: span > 0 ? Double(items) / span : 0,
            timedOut: timedOut,
            cpu: ProcessUsage(userSeconds: usage.userSeconds - usageBefore.userSeconds,
                              systemSeconds: usage.systemSeconds - usageBefore.systemSeconds))
    }
}
