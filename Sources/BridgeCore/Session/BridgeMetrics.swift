import Prometheus
import Synchronization
import Locking

/// The bridge's figures in Prometheus text format, for the transports' `/metrics`.
/// Updated from the same snapshot as `bridge.status`; counters advance by the difference
/// since the previous snapshot, so they stay monotonic.
public final class BridgeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let gauges: [String: Gauge]
    private let counters: [String: Counter]
    private let upstreamStates: [UpstreamHealth.State: Gauge]
    private let previous = Locked<[String: Int64]>([:])

    private static let gaugeHelp: [String: String] = [
        "unicat_bridge_clients": "Connected clients over all transports.",
        "unicat_bridge_subscriptions": "Subscriptions over all clients.",
        "unicat_bridge_live_subscriptions": "Subscriptions receiving live changes (not replaying).",
        "unicat_bridge_blocked_clients": "Clients whose transport queue is full.",
        "unicat_bridge_coalesced_changes": "Changes latest_only subscribers skipped for a later change of the same key.",
        "unicat_bridge_upstream_lag_seconds": "Seconds since the last successful exchange with Unicat.",
        "unicat_bridge_journal_entries": "Changes held in the journal (the resume window).",
        "unicat_bridge_journal_capacity": "Configured journal size.",
        "unicat_bridge_cc_cursor": "Last applied cursor of Unicat's cc stream.",
        "unicat_bridge_project_cursor": "Last applied cursor of the project stream.",
    ]
    private static let counterHelp: [String: String] = [
        "unicat_bridge_messages_sent_total": "Notifications handed to transports.",
        "unicat_bridge_messages_superseded_total": "Notifications that replaced an untaken one of the same subscription, carrying both.",
        "unicat_bridge_bytes_sent_total": "Bytes of notifications handed to transports.",
        "unicat_bridge_slow_consumers_dropped_total": "Clients disconnected for not reading.",
        "unicat_bridge_changes_applied_total": "Changes committed to the journal.",
        "unicat_bridge_upstream_requests_total": "HTTP requests made to Unicat.",
        "unicat_bridge_upstream_failures_total": "Failed HTTP requests to Unicat.",
        "unicat_bridge_upstream_authentications_total": "Authentications with the API key.",
        "unicat_bridge_object_fetch_failures_total": "Changes committed without their object because its refetch kept failing.",
    ]

    public init() {
        var gauges: [String: Gauge] = [:]
        // The names are whole (their units included), so each is the descriptor's metric name.
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        for (name, help) in Self.gaugeHelp { gauges[name] = registry.makeGauge(descriptor: descriptor(name, help)) }
        var counters: [String: Counter] = [:]
        for (name, help) in Self.counterHelp { counters[name] = registry.makeCounter(descriptor: descriptor(name, help)) }
        var states: [UpstreamHealth.State: Gauge] = [:]
        let state = descriptor("unicat_bridge_upstream_state", "1 for the current upstream state, 0 for the others.")
        for value in [UpstreamHealth.State.starting, .connected, .reconnecting, .authFailed, .offline] {
            states[value] = registry.makeGauge(descriptor: state, labels: [("state", value.rawValue)])
        }
        self.gauges = gauges
        self.counters = counters
        upstreamStates = states
    }

    /// Takes the figures of a `bridge.status` document.
    public func update(from status: JSONValue, state: UpstreamHealth.State) {
        let subscribers = status["subscribers"]
        let journal = status["journal"]
        setGauge("unicat_bridge_clients", subscribers?["clients"])
        setGauge("unicat_bridge_subscriptions", subscribers?["subscriptions"])
        setGauge("unicat_bridge_live_subscriptions", subscribers?["live_subscriptions"])
        setGauge("unicat_bridge_blocked_clients", subscribers?["blocked_clients"])
        setGauge("unicat_bridge_coalesced_changes", subscribers?["coalesced_changes"])
        setGauge("unicat_bridge_upstream_lag_seconds", status["upstream"]?["lag_seconds"])
        setGauge("unicat_bridge_journal_entries", journal?["entries"])
        setGauge("unicat_bridge_journal_capacity", journal?["capacity"])
        setGauge("unicat_bridge_cc_cursor", status["position"]?["cc_cursor"])
        setGauge("unicat_bridge_project_cursor", status["position"]?["cursor"])
        advance("unicat_bridge_messages_sent_total", subscribers?["messages_sent"])
        advance("unicat_bridge_messages_superseded_total", subscribers?["messages_superseded"])
        advance("unicat_bridge_bytes_sent_total", subscribers?["bytes_sent"])
        advance("unicat_bridge_slow_consumers_dropped_total", subscribers?["slow_consumers_dropped"])
        advance("unicat_bridge_changes_applied_total", journal?["last_sequence"])
        advance("unicat_bridge_upstream_requests_total", status["upstream"]?["requests"])
        advance("unicat_bridge_upstream_failures_total", status["upstream"]?["failures"])
        advance("unicat_bridge_upstream_authentications_total", status["upstream"]?["authentications"])
        advance("unicat_bridge_object_fetch_failures_total", status["upstream"]?["object_fetch_failures"])
        for (candidate, gauge) in upstreamStates { gauge.set(Double(candidate == state ? 1 : 0)) }
    }

    /// The exposition text.
    public func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    private func setGauge(_ name: String, _ value: JSONValue?) {
        guard let number = value?.doubleValue else { return }
        gauges[name]?.set(number)
    }

    private func advance(_ name: String, _ value: JSONValue?) {
        guard let total = value?.int64Value else { return }
        let delta = previous.withLock { previous -> Int64 in
            // A new epoch restarts journal sequences: count from the new start.
            let last = previous[name] ?? 0
            previous[name] = total
            return total >= last ? total - last : total
        }
        if delta > 0 { counters[name]?.increment(by: Int64(delta)) }
    }
}
