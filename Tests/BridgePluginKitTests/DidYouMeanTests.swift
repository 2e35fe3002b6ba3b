import BridgePluginKit
import Testing

@Suite struct DidYouMeanTests {
    @Test func suggestsTheCloseNameOnly() {
        #expect(DidYouMean.closest(to: "mdoe", among: ["mode", "path", "group"]) == "mode")
        #expect(DidYouMean.closest(to: "websockets", among: ["websocket", "unix", "stdio"]) == "websocket")
        #expect(DidYouMean.closest(to: "max_conections", among: ["max_connections", "max_connections_per_ip"]) == "max_connections")
        #expect(DidYouMean.closest(to: "colour", among: ["listen", "tls", "dashboard"]) == nil)
        #expect(DidYouMean.closest(to: "ab", among: ["xy"]) == nil)
        #expect(DidYouMean.hint(for: "Listen", among: ["listen"]) == #" (did you mean "listen"?)"#)
    }
}
