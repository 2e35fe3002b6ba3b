extension BridgeMethods {
    /// `initialize`: who the server is, what it speaks, where it stands.
    func initialize(_ params: JSONValue) async throws -> JSONValue {
        let params = try RPCParams(params, allowed: ["client", "protocol_version", "capabilities"])
        if let version = params.raw("protocol_version"), version.int64Value != Int64(Self.protocolVersion) {
            throw RPCError.invalidParams("protocol_version \(version.encodedString()) is not supported; this server speaks \(Self.protocolVersion)")
        }
        return [
            "server": ["name": .string(BridgeVersion.serverName), "version": .string(BridgeVersion.current)],
            "protocol_version": .int(Int64(Self.protocolVersion)),
            "project": .string(session.configuration.upstream.project),
            "capabilities": [
                "methods": .array(Self.methodNames.map { .string($0) }),
                "notifications": ["sync.changes", "sync.reset", "bridge.upstream"],
                "batch": true,
                "max_keys_per_get": .int(Int64(Self.maxKeysPerGet)),
            ],
            "position": session.engine.position?.json ?? .null,
            "upstream": .string(session.health.state.rawValue),
        ]
    }

    /// `unicat.init`: the cached init payload and its position.
    func initData(_ params: JSONValue) async throws -> JSONValue {
        _ = try RPCParams(params, allowed: [])
        let position = try await readyPosition()
        guard let snapshot = try session.store.initSnapshot() else {
            throw RPCError.upstreamUnavailable("no init data yet")
        }
        return ["result": snapshot.result, "data": snapshot.data, "position": position.json]
    }
}
