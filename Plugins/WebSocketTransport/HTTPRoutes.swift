#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import BridgePluginKit

/// The plain HTTP side of the listener: `/` the dashboard, `/healthz` the upstream
/// health, `/metrics` Prometheus text (the host's and the transport's own). Anything
/// else is 404.
struct HTTPRoutes: Sendable {
    let host: BridgeHost
    let access: AccessPolicy
    let metrics: TransportMetrics
    let registry: ClientRegistry
    let servesDashboard: Bool

    /// The dashboard may run its own inline script and style, and connect back to the bridge.
    private static let dashboardPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        + "connect-src 'self' ws: wss:; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func response(to request: HTTPRequest, isGet: Bool) -> HTTPResponse {
        guard isGet else { return .plain(405, headers: [("allow", "GET")]) }
        switch request.path {
        case "/" where servesDashboard, "/index.html" where servesDashboard:
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: PackageResources.index_html,
                                headers: [("content-security-policy", Self.dashboardPolicy)])
        case "/healthz":
            return health()
        case "/metrics":
            if case .refused(let refusal) = access.authenticate(request) { return refusal }
            return metricsText()
        case FeedRequest.path:
            return .plain(426, headers: [("upgrade", "websocket")])
        default:
            return .plain(404)
        }
    }

    private struct Health: Decodable {
        let ok: Bool
    }

    private func health() -> HTTPResponse {
        let document = host.query("health") ?? #"{"ok":false,"state":"unknown"}"#
        let healthy = (try? JSONDecoder().decode(Health.self, from: Data(document.utf8)))?.ok ?? false
        return HTTPResponse(status: healthy ? 200 : 503, contentType: "application/json", body: Array(document.utf8))
    }

    private func metricsText() -> HTTPResponse {
        guard let document = host.query("metrics") else { return .plain(503) }
        let clients = registry.clients
        let backlog = clients.map(\.outbox.backlog)
        let own = metrics.exposition(connections: clients.count, queuedMessages: backlog.reduce(0) { $0 + $1.messages },
                                     queuedBytes: backlog.reduce(0) { $0 + $1.bytes })
        let separator = document.isEmpty || document.hasSuffix("\n") ? "" : "\n"
        return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                            body: Array((document + separator + own).utf8))
    }
}
