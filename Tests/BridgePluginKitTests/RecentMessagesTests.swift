@testable import BridgePluginKit
import Testing

@Suite struct RecentMessagesTests {
    static func page(_ fill: UInt8, count: Int = 100_000) -> [UInt8] {
        var bytes = [UInt8](repeating: fill, count: count)
        bytes[count - 1] = 0x7D
        return bytes
    }

    static func message(_ messages: RecentMessages, _ bytes: [UInt8]) -> SharedMessage {
        bytes.withUnsafeBytes { messages.message($0) }
    }

    /// One catch-up page sent to many subscribers, one `send` each from a buffer of its own:
    /// they share a single copy.
    @Test func theSamePageSentAgainSharesOneCopy() {
        let messages = RecentMessages(headroom: 16)
        let first = Self.message(messages, Self.page(0x41))
        let again = Self.message(messages, Self.page(0x41))
        #expect(first === again)
        #expect(first.headroom == 16 && first.count == 100_000)
        #expect(first.withBytes { Array($0) } == Self.page(0x41))
    }

    @Test func differentBytesOfTheSameLengthAreNotMistakenForIt() {
        let messages = RecentMessages(headroom: 0)
        let first = Self.message(messages, Self.page(0x41))
        var changed = Self.page(0x41)
        changed[50_000] = 0x42
        let other = Self.message(messages, changed)
        #expect(first !== other)
        #expect(other.withBytes { Array($0) } == changed)
    }

    @Test func smallMessagesAreAlwaysCopied() {
        let messages = RecentMessages(headroom: 0)
        let small = Array("{\"jsonrpc\":\"2.0\"}".utf8)
        #expect(Self.message(messages, small) !== Self.message(messages, small))
    }

    @Test func onlyTheLastFewAreKept() {
        let messages = RecentMessages(headroom: 0)
        let oldest = Self.message(messages, Self.page(0))
        for fill in 1...UInt8(RecentMessages.capacity) { _ = Self.message(messages, Self.page(fill)) }
        #expect(Self.message(messages, Self.page(0)) !== oldest)
        #expect(Self.message(messages, Self.page(UInt8(RecentMessages.capacity))) === Self.message(messages, Self.page(UInt8(RecentMessages.capacity))))
    }
}
