extension BridgeMethods {
    /// `unicat.call`: a Unicat API call through the bridge's session, if the client's
    /// transport allows that endpoint (read-only by default) and the client's upstream rate
    /// has room. The endpoint is read into its canonical form once; that form is what the
    /// policy decides on and what is sent.
    func proxy(_ params: JSONValue, from source: RequestSource) async throws -> JSONValue {
        let params = try RPCParams(params, allowed: ["endpoint", "params"])
        let notation = try params.requiredString("endpoint")
        let endpoint: UnicatEndpoint
        do {
            endpoint = try UnicatEndpoint(notation: notation)
        } catch {
            throw RPCError.notPermitted(error.description)
        }
        let body = params.raw("params") ?? .object([:])
        guard case .object = body else { throw RPCError.invalidParams("\"params\" must be an object") }
        guard let policy = await hub.policy(of: source.client), policy.permits(endpoint) else {
            throw RPCError.notPermitted("\(endpoint) is not allowed on this transport")
        }
        guard let client = session.upstream.proxyClient else {
            throw RPCError.notPermitted("unicat.call proxies Unicat's API; this bridge follows another upstream")
        }
        if let exhausted = source.upstream.take() { throw exhausted }
        let response = try await client.call(endpoint, body)
        return ["result": response.result, "data": response.data]
    }
}
