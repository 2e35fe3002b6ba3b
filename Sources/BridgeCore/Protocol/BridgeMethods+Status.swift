import Foundation

extension BridgeMethods {
    /// `bridge.status`: upstream state, lag, cursors, journal window, subscribers, queues.
    func status(_ params: JSONValue) throws -> JSONValue {
        _ = try RPCParams(params, allowed: [])
        return try BridgeStatus.collect(session)
    }
}

/// The status document shared by `bridge.status` and the transports' HTTP endpoints. Read
/// from figures kept in memory as they change: it waits for no actor and touches no storage.
public enum BridgeStatus {
    public static func collect(_ session: SessionParts) throws -> JSONValue {
        let health = session.health.snapshot
        let upstream = session.upstream.statistics
        let journal = try session.store.journalBounds()
        let figures = session.hub.figures
        let now = Date().timeIntervalSince1970
        return [
            "server": ["name": .string(BridgeVersion.serverName), "version": .string(BridgeVersion.current)],
            "project": .string(session.configuration.upstream.project),
            "upstream": [
                "kind": .string(session.configuration.upstream.kind.rawValue),
                "state": .string(health.state.rawValue),
                "feed_connected": .bool(health.feedConnected),
                "last_error": health.lastError.map { .string($0) } ?? .null,
                "last_success_at": health.lastSuccessAt.map { .double($0) } ?? .null,
                "lag_seconds": health.lastSuccessAt.map { .double(max(0, now - $0)) } ?? .null,
                "consecutive_failures": .int(Int64(health.consecutiveFailures)),
                "requests": .int(Int64(upstream.requests)),
                "failures": .int(Int64(upstream.failures)),
                "authentications": .int(Int64(upstream.authentications)),
                "token_refreshes": .int(Int64(upstream.tokenRefreshes)),
                "object_fetch_failures": .int(Int64(session.engine.objectFetchFailures)),
            ],
            "position": session.engine.position?.json ?? .null,
            "journal": [
                "first_sequence": .int(journal.first), "last_sequence": .int(journal.last), "entries": .int(Int64(journal.count)),
                "floor": journal.floor?.position.json ?? .null, "capacity": .int(Int64(session.store.journalLimit)),
            ],
            "subscribers": [
                "clients": .int(Int64(figures.clients)), "subscriptions": .int(Int64(figures.subscriptions)),
                "live_subscriptions": .int(Int64(figures.liveSubscriptions)),
                "blocked_clients": .int(Int64(figures.blockedClients)),
                "coalesced_changes": .int(Int64(figures.coalescedChanges)),
                "slow_consumers_dropped": .int(Int64(figures.slowConsumersDropped)),
                "messages_sent": .int(Int64(figures.messagesSent)),
                "messages_superseded": .int(Int64(figures.messagesSuperseded)),
                "bytes_sent": .int(Int64(figures.bytesSent)),
                "transports": .object(figures.transports.mapValues { transport in
                    ["clients": .int(Int64(transport.clients)), "subscriptions": .int(Int64(transport.subscriptions)),
                     "blocked_clients": .int(Int64(transport.blockedClients))]
                }),
            ],
        ]
    }
}
