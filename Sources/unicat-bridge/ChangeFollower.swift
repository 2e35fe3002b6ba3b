import BridgeCore

/// `tail`'s subscription, kept alive across bridge restarts: after a lost connection it
/// reconnects with backoff and subscribes again with `since` = the position after the
/// last change it printed, so the stream goes on with no gap and no repeat.
final class ChangeFollower {
    private let options: ClientOptions
    private let filter: [String: JSONValue]
    private let printer: ChangePrinter
    private let progress: CatchUpProgress
    /// After the last change printed (or where the subscription started).
    private var position: JSONValue?
    private var backoff = ReconnectBackoff()

    init(options: ClientOptions, filter: [String: JSONValue], since: JSONValue?, printer: ChangePrinter, progress: CatchUpProgress) {
        self.options = options
        self.filter = filter
        self.position = since
        self.printer = printer
        self.progress = progress
    }

    /// Follows until interrupted; throws only what reconnecting cannot cure (access
    /// denied, a refused subscription).
    func run(first: BridgeClient) throws {
        var client = first
        while true {
            do {
                try follow(client)
            } catch let error as BridgeClientError where Self.isTransient(error) {
                progress.suspend()
                note("\(error); reconnecting…")
                client = try reconnect()
            }
        }
    }

    private func follow(_ client: BridgeClient) throws {
        let hello: JSONValue = ["client": ["name": "unicat-bridge tail", "version": .string(BridgeVersion.current)]]
        let head = try client.call("initialize", hello, timeout: options.timeout)["position"]
        var params = filter
        if let position { params["since"] = position }
        let subscribed = try client.call("sync.subscribe", .object(params), timeout: options.timeout)
        backoff.reset()
        let subscription = subscribed["subscription"]?.stringValue
        let recovered = subscribed["recovered"]?.boolValue == true
        if position == nil { position = subscribed["position"] }
        if recovered { note("resuming after \(PositionText.format(position))") }
        progress.begin(from: position, head: head, recovered: recovered)
        while true {
            guard let message = try client.nextNotification() else { continue }
            let params = message["params"] ?? [:]
            switch message["method"]?.stringValue {
            case "sync.changes" where params["subscription"]?.stringValue == subscription:
                let items = params["items"]?.arrayValue ?? []
                progress.suspend()
                printer.items(items)
                position = params["position"] ?? position
                progress.batch(count: items.count, position: position, recovered: params["recovered"]?.boolValue == true)
            case "sync.reset" where params["subscription"]?.stringValue == subscription:
                reset(params)
            case "bridge.upstream":
                progress.suspend()
                note("upstream is \(params["state"]?.stringValue ?? "?")")
            default:
                break
            }
        }
    }

    private func reset(_ params: JSONValue) {
        progress.finish()
        switch params["reason"]?.stringValue {
        case "slow_consumer":
            // The bridge closes the connection; the resume from our own position follows.
            note("the bridge dropped this client for reading too slowly; resuming")
        default:
            // epoch_changed, resnapshot_required: the stream continues from the new position.
            printer.reset(params)
            position = params["position"] ?? position
        }
    }

    private func reconnect() throws -> BridgeClient {
        while true {
            backoff.wait()
            do {
                return try BridgeClient(candidates: options.socketCandidates())
            } catch let error as BridgeClientError where Self.isTransient(error) {
                continue
            }
        }
    }

    /// Failures a later attempt may not have: the bridge restarting, or still without data.
    private static func isTransient(_ error: BridgeClientError) -> Bool {
        switch error {
        case .notRunning, .unreachable: true
        case .bridge(let code, _, _): code == -32000
        case .accessDenied: false
        }
    }

    private func note(_ text: String) {
        Diagnostics.write("unicat-bridge: \(text)\n")
    }
}
