import Foundation

extension BridgeMethods {
    /// `bridge.status`: upstream state, lag, cursors, journal window, subscribers, queues.
    func status(_ params: JSONValue) async throws -> JSONValue {
        _ = try RPCParams(params, allowed: [])
        return try await BridgeStatus.collect(session)
    }
}

/// The status document shared by `bridge.status` and the transports' HTTP endpoints.
public enum BridgeStatus {
    public static func collect(_ session: SessionParts) async throws -> JSONValue {
        let hub = session.hub
        let health = session.health.snapshot
        let upstream = session.client.statistics
        let window = try session.store.journalWindow()
        let figures = await hub.figures
        let now = Date().timeIntervalSince1970
        return [
            "server": ["name": .string(BridgeVersion.serverName), "version": .string(BridgeVersion.current)],
            "project": .string(session.configuration.upstream.project),
            "upstream": [
                "state": .string(health.state.rawValue),
                "feed_connected": .bool(health.feedConnected),
                "last_error": health.lastError.map { .string($0) } ?? .null,
                "last_success_at": health.lastSuccessAt.map { .double($0) } ?? .null,
                "lag_seconds": health.lastSuccessAt.map { .double(max(0, now - $0)) } ?? .null,
                "consecutive_failures": .int(Int64(health.consecutiveFailures)),
                "requests": .int(Int64(upstream.requests)),
                "failures": .int(Int64(upstream.failures)),
                "authentications": .int(Int64(upstream.authentications)),
                "object_fetch_failures": .int(Int64(session.engine.objectFetchFailures)),
            ],
            "position": session.engine.position?.json ?? .null,
            "journal": [
                "first_sequence": .int(window.first), "last_sequence": .int(window.last), "entries": .int(Int64(window.count)),
                "floor": try session.store.journalFloor()?.position.json ?? .null, "capacity": .int(Int64(session.store.journalLimit)),
            ],
            "subscribers": [
                "clients": .int(Int64(figures.clients)), "subscriptions": .int(Int64(figures.subscriptions)),
                "live_subscriptions": .int(Int64(figures.liveSubscriptions)),
                "blocked_clients": .int(Int64(figures.blockedClients)),
                "coalesced_changes": .int(Int64(figures.coalescedChanges)),
                "slow_consumers_dropped": .int(Int64(figures.counters.slowConsumersDropped)),
                "messages_sent": .int(Int64(figures.counters.messagesSent)),
                "bytes_sent": .int(Int64(figures.counters.bytesSent)),
                "transports": .object(figures.transports.mapValues { transport in
                    ["clients": .int(Int64(transport.clients)), "subscriptions": .int(Int64(transport.subscriptions)),
                     "blocked_clients": .int(Int64(transport.blockedClients))]
                }),
            ],
        ]
    }
}
