extension BridgeMethods {
    static let maxFilterEntries = 10_000

    /// `sync.subscribe`: starts `sync.changes` notifications, resuming from `since` when given.
    func subscribe(_ params: JSONValue, client: UInt64) async throws -> Outcome {
        let params = try RPCParams(params, allowed: ["types", "keys", "since", "include_objects", "latest_only"])
        let filter = SubscriptionFilter(
            types: try params.strings("types", maxCount: Self.maxFilterEntries).map(Set.init),
            keys: try params.strings("keys", maxCount: Self.maxFilterEntries).map(Set.init),
            includeObjects: try params.bool("include_objects") ?? false,
            latestOnly: try params.bool("latest_only") ?? false)
        var since: BridgePosition?
        if let raw = params.raw("since") {
            guard let position = BridgePosition(json: raw) else {
                throw RPCError.invalidParams("\"since\" must be a position {\"epoch\": string, \"cc_cursor\": integer, \"cursor\": integer}")
            }
            since = position
        }
        let current = try await readyPosition()
        if let since, since.epoch == current.epoch, !since.cursors.isAtOrBefore(current.cursors) {
            try await checkReachable(since)
        }
        let subscribed = try await hub.subscribe(client, filter: filter, since: since)
        let result: JSONValue = [
            "subscription": .string(subscribed.subscription), "position": subscribed.position.json,
            "recovered": .bool(subscribed.recovered), "filter": filter.json,
        ]
        let hub = self.hub
        return .success(result) { await hub.activate(client, subscribed.subscription, generation: subscribed.generation) }
    }

    /// A position ahead of this instance is fine when Unicat has reached it (the subscriber
    /// came from an instance that is further along); beyond Unicat it cannot be real.
    private func checkReachable(_ since: BridgePosition) async throws {
        guard try await hub.syncLog.reaches(since.cursors) else {
            throw RPCError.positionOutOfRange("\(since.json.encodedString()) is ahead of Unicat's own cursors")
        }
    }

    func unsubscribe(_ params: JSONValue, client: UInt64) async throws -> JSONValue {
        let params = try RPCParams(params, allowed: ["subscription"])
        try await hub.unsubscribe(client, try params.requiredString("subscription"))
        return ["unsubscribed": true]
    }
}
