import ArgumentParser
import BridgeCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running bridge's state: upstream, position, journal, subscribers."
    )

    @OptionGroup var client: ClientOptions

    func run() throws {
        try client.withClient { bridge in
            let status = try bridge.call("bridge.status", timeout: client.timeout)
            StandardOutput.write(client.json ? JSONText.compact(status) + "\n" : Self.table(status).render(.standardOutput))
        }
    }

    static func table(_ status: JSONValue) -> TextTable {
        let upstream = status["upstream"] ?? [:]
        let journal = status["journal"] ?? [:]
        let subscribers = status["subscribers"] ?? [:]
        func number(_ value: JSONValue?) -> String { value?.int64Value.map(String.init) ?? "—" }

        var table = TextTable()
        let server = status["server"] ?? [:]
        table.add(.init("Bridge", .bold), .init("\(server["name"]?.stringValue ?? "?") \(server["version"]?.stringValue ?? "")"))
        table.add(.init("Project", .bold), .init(status["project"]?.stringValue ?? "—"))
        let state = upstream["state"]?.stringValue ?? "unknown"
        let feed = upstream["feed_connected"]?.boolValue == true ? "feed connected" : "feed not connected"
        table.add(.init("Upstream", .bold), .init("\(state) (\(feed))", colour(ofState: state)))
        if let lag = upstream["lag_seconds"]?.doubleValue {
            table.add(.init("Last success", .bold), .init("\(seconds(lag)) ago"))
        }
        if let error = upstream["last_error"]?.stringValue {
            table.add(.init("Last error", .bold), .init(error, .red))
        }
        table.add(.init("Requests", .bold), .init("\(number(upstream["requests"])) to Unicat, \(number(upstream["failures"])) failed, \(number(upstream["authentications"])) authentications"))
        table.add(.init("Position", .bold), .init(PositionText.format(status["position"])))
        table.add(.init("Journal", .bold), .init("\(number(journal["entries"])) changes (sequence \(number(journal["first_sequence"]))–\(number(journal["last_sequence"]))), capacity \(number(journal["capacity"]))"))
        table.add(.init("Clients", .bold), .init("\(number(subscribers["clients"])) connected, \(number(subscribers["subscriptions"])) subscriptions (\(number(subscribers["live_subscriptions"])) live), \(number(subscribers["blocked_clients"])) blocked"))
        table.add(.init("Sent", .bold), .init("\(number(subscribers["messages_sent"])) messages, \(bytes(subscribers["bytes_sent"]?.int64Value ?? 0))"))
        table.add(.init("Slow consumers", .bold), .init("\(number(subscribers["slow_consumers_dropped"])) disconnected"))
        return table
    }

    static func colour(ofState state: String) -> TerminalStyle.Colour {
        switch state {
        case "connected": .green
        case "starting", "reconnecting": .yellow
        default: .red
        }
    }

    private static func seconds(_ value: Double) -> String {
        value < 10 ? "\((value * 10).rounded() / 10) s" : "\(Int(value.rounded())) s"
    }

    private static func bytes(_ count: Int64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) bytes" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
