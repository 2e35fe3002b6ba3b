extension BridgeMethods {
    /// Endpoints that deal in credentials are never proxied, whatever a policy says.
    static let credentialEndpoints = ["auth", "login", "signup", "apikeys/"]

    /// `unicat.call`: a Unicat API call through the bridge's session, if the client's
    /// transport allows that endpoint (read-only by default).
    func proxy(_ params: JSONValue, client: UInt64) async throws -> JSONValue {
        let params = try RPCParams(params, allowed: ["endpoint", "params"])
        let notation = try params.requiredString("endpoint")
        guard let endpoint = UnicatEndpoint(notation) else {
            throw RPCError.invalidParams("\"endpoint\" \"\(notation)\" is not a Unicat endpoint (e.g. \"records/get\", \"//users/get\")")
        }
        let body = params.raw("params") ?? .object([:])
        guard case .object = body else { throw RPCError.invalidParams("\"params\" must be an object") }
        let credential = Self.credentialEndpoints.contains { endpoint.path == $0 || ($0.hasSuffix("/") && endpoint.path.hasPrefix($0)) }
        guard !credential, let policy = await hub.policy(of: client), policy.permits(endpoint) else {
            throw RPCError.notPermitted("\(endpoint) is not allowed on this transport")
        }
        let response = try await session.client.call(endpoint, body)
        return ["result": response.result, "data": response.data]
    }
}
