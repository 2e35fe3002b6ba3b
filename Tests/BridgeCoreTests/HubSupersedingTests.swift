import BridgeCore
import BridgeTesting
import Testing

/// Live notifications a subscriber's transport holds untaken are superseded: the next one
/// replaces it, carrying both, so a subscriber whose writer is behind gets one message per
/// write and a change waits for at most one write — exactly once either way.
@Suite struct HubSupersedingTests {
    func keys(_ range: ClosedRange<Int>) -> [String] { range.map { "r\($0)" } }

    func subscribers(_ count: Int, _ fixture: HubFixture, _ filter: SubscriptionFilter = SubscriptionFilter()) async throws -> [(UInt64, String)] {
        var subscribers: [(UInt64, String)] = []
        for _ in 0..<count {
            let client = await fixture.connect()
            subscribers.append((client, try await fixture.subscribe(client, filter).subscription))
            fixture.transport.drain(client)
        }
        return subscribers
    }

    func notifications(_ transport: RecordingTransport, _ client: UInt64) -> [[Int64]] {
        transport.messages(client).filter { $0["method"] == "sync.changes" }
            .map { ($0["params"]?["items"]?.arrayValue ?? []).compactMap { $0["cursor"]?.int64Value } }
    }

    @Test func anUntakenNotificationIsReplacedByOneCarryingBoth() async throws {
        let transport = RecordingTransport(reportsBusy: true, supersedes: true)
        let fixture = try await HubFixture(transport: transport)
        let all = try await subscribers(3, fixture)
        try await fixture.change(keys(1...1))
        try await fixture.change(keys(2...2))
        #expect(fixture.hub.figures.blockedClients == 0, "nothing queued behind: no hold-back")
        transport.drain(all[0].0)  // the first one's writer takes [1, 2]
        try await fixture.change(keys(3...3))
        try await fixture.change(keys(4...4))
        #expect(notifications(transport, all[0].0) == [[1, 2], [3, 4]])
        for (client, subscription) in all.dropFirst() {
            #expect(notifications(transport, client) == [[1, 2, 3, 4]])
            #expect(fixture.cursors(client, subscription) == Array(1...4))
        }
        let figures = fixture.hub.figures
        #expect(figures.messagesSent == 4, "three first notifications and one after the drain")
        #expect(figures.messagesSuperseded == 8)
        #expect(figures.liveSubscriptions == 3)
    }

    /// Past `Hub.supersedingEntries` the writer is not keeping up: the next notification is
    /// queued behind (busy), the subscriber is held back, and gets the rest when it drains.
    @Test func aWriterThatTakesNothingIsHeldBackOnceTheNotificationIsLong() async throws {
        let transport = RecordingTransport(reportsBusy: true, supersedes: true)
        let fixture = try await HubFixture(transport: transport)
        let (client, subscription) = try await subscribers(1, fixture)[0]
        for key in 1...70 { try await fixture.change(["r\(key)"]) }
        #expect(notifications(transport, client) == [Array(1...64), [65]])
        #expect(fixture.hub.figures.blockedClients == 1)
        transport.drain(client)
        await fixture.hub.clientsWritable([client])
        #expect(notifications(transport, client) == [Array(1...64), [65], Array(66...70)])
        #expect(fixture.cursors(client, subscription) == Array(1...70))
    }

    /// An object that came from the mirror, not with its batch, is not in the ring: the item
    /// cannot be said again exactly, so a later notification goes behind instead.
    @Test func anItemWhoseObjectCameFromTheMirrorIsNotSaidAgain() async throws {
        let transport = RecordingTransport(reportsBusy: true, supersedes: true)
        let fixture = try await HubFixture(transport: transport)
        let (client, subscription) = try await subscribers(1, fixture, SubscriptionFilter(includeObjects: true))[0]
        func object(_ key: String, _ title: String) -> [String: ObjectState] {
            [key: .present(ScriptedUpstream.record(key, title: title))]
        }
        try await fixture.change(["r1"], objects: object("r1", "one"))
        try await fixture.change(["r2"], objects: object("r2", "two"))
        try await fixture.change(["r1"])  // its object from the mirror
        try await fixture.change(["r4"], objects: object("r4", "four"))
        #expect(notifications(transport, client) == [[1, 2, 3], [4]])
        let items = fixture.items(client, subscription)
        #expect(items.map { $0["object"]?["title"]?["en"]?.stringValue } == ["one", "two", "one", "four"])
    }

    /// A subscription subscribed again (a new generation) never has its predecessor's
    /// notification replaced: its response went between, and its stream differs.
    @Test func aResubscriptionStartsAfresh() async throws {
        let transport = RecordingTransport(reportsBusy: true, supersedes: true)
        let fixture = try await HubFixture(transport: transport)
        let (client, subscription) = try await subscribers(1, fixture)[0]
        try await fixture.change(keys(1...1))
        let again = try await fixture.subscribe(client, since: fixture.hub.currentPosition)
        #expect(again.subscription == subscription)
        transport.drain(client)
        try await fixture.change(keys(2...2))
        try await fixture.change(keys(3...3))
        #expect(notifications(transport, client) == [[1], [2, 3]])
    }
}
