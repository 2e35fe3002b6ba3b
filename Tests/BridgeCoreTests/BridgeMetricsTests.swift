import Testing
@testable import BridgeCore

@Suite struct BridgeMetricsTests {
    @Test func statusFiguresBecomePrometheusText() {
        let metrics = BridgeMetrics()
        func status(sent: Int64, sequence: Int64) -> JSONValue {
            [
                "subscribers": ["clients": 3, "subscriptions": 4, "live_subscriptions": 4, "blocked_clients": 0,
                                "coalesced_changes": 0, "messages_sent": .int(sent), "bytes_sent": 100, "slow_consumers_dropped": 1],
                "journal": ["entries": 10, "capacity": 100, "last_sequence": .int(sequence)],
                "upstream": ["lag_seconds": 0.5, "requests": 7, "failures": 0, "authentications": 1],
                "position": ["epoch": "e", "cc_cursor": 14, "cursor": 1200],
            ]
        }
        metrics.update(from: status(sent: 5, sequence: 10), state: .connected)
        metrics.update(from: status(sent: 8, sequence: 2), state: .connected)
        let text = metrics.text()
        #expect(text.contains("unicat_bridge_clients 3"))
        #expect(text.contains("unicat_bridge_project_cursor 1200"))
        #expect(text.contains("unicat_bridge_messages_sent_total 8"))
        // A new epoch restarts sequences; the counter keeps growing.
        #expect(text.contains("unicat_bridge_changes_applied_total 12"))
        #expect(text.contains(#"unicat_bridge_upstream_state{state="connected"} 1"#))
        #expect(text.contains(#"unicat_bridge_upstream_state{state="offline"} 0"#))
        #expect(text.contains("# TYPE unicat_bridge_messages_sent_total counter"))
    }
}
