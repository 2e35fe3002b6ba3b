import BridgeCore
import BridgeTesting
import Testing

/// Live subscribers held back while their socket is busy: when they drain, what they missed
/// goes out together, encoded once for all held at the same place, and exactly once however
/// long the backlog or however little of it the in-memory ring still holds.
@Suite struct HubHeldBackTests {
    func keys(_ range: ClosedRange<Int>) -> [String] { range.map { "r\($0)" } }

    /// Connects `count` clients, subscribes each, lets each read its response.
    func subscribers(_ count: Int, _ fixture: HubFixture) async throws -> [(UInt64, String)] {
        var subscribers: [(UInt64, String)] = []
        for _ in 0..<count {
            let client = await fixture.connect()
            subscribers.append((client, try await fixture.subscribe(client).subscription))
            fixture.transport.drain(client)
        }
        return subscribers
    }

    @Test func subscribersDrainingTogetherShareOneNotification() async throws {
        let transport = RecordingTransport(reportsBusy: true)
        let fixture = try await HubFixture(transport: transport)
        let held = try await subscribers(50, fixture)
        try await fixture.change(keys(1...1))  // taken at once
        try await fixture.change(keys(2...2))  // queued behind it: busy from here
        for key in keys(3...20) { try await fixture.change([key]) }
        // Held back, not taken off live fan-out (no catch-up of their own).
        #expect(fixture.hub.figures.liveSubscriptions == 50)
        #expect(fixture.hub.figures.blockedClients == 50)
        let encodedBefore = fixture.hub.figures.notificationsEncoded
        for (client, _) in held { transport.drain(client) }
        await fixture.hub.clientsWritable(held.map(\.0))
        #expect(fixture.hub.figures.notificationsEncoded == encodedBefore + 1, "r3...r20 encoded once for all 50")
        for (client, subscription) in held {
            #expect(fixture.cursors(client, subscription) == Array(1...20))
            let notifications = transport.messages(client).filter { $0["method"] == "sync.changes" }
            #expect(notifications.map { $0["params"]?["items"]?.arrayValue?.count } == [1, 1, 18])
        }
        try await fixture.change(keys(21...21))
        for (client, subscription) in held { try await fixture.waitFor(client, subscription, through: 21) }
        #expect(fixture.hub.figures.liveSubscriptions == 50)
    }

    @Test func aBacklogLongerThanAPageIsDeliveredWhole() async throws {
        let transport = RecordingTransport(reportsBusy: true)
        let fixture = try await HubFixture(journalSize: 5_000, transport: transport)
        let held = try await subscribers(3, fixture)
        for batch in 0..<12 { try await fixture.change(keys(batch * 100 + 1...batch * 100 + 100)) }
        for (client, _) in held { transport.drain(client) }
        await fixture.hub.clientsWritable(held.map(\.0))
        for (client, subscription) in held {
            while (fixture.cursors(client, subscription).last ?? 0) < 1_200 {
                transport.drain(client)
                await fixture.hub.clientsWritable([client])
                try await Task.sleep(for: .milliseconds(1))
            }
            #expect(fixture.cursors(client, subscription) == Array(1...1_200))
        }
    }

    @Test func whatTheRingNoLongerHoldsComesFromTheJournal() async throws {
        let transport = RecordingTransport(reportsBusy: true)
        // The ring holds as many entries as the journal: 50 here.
        let fixture = try await HubFixture(journalSize: 50, transport: transport)
        let held = try await subscribers(2, fixture)
        try await fixture.change(keys(1...1))
        try await fixture.change(keys(2...2))
        for key in keys(3...60) { try await fixture.change([key]) }  // r3 and on were held; the ring starts past them
        for (client, _) in held { transport.drain(client) }
        await fixture.hub.clientsWritable(held.map(\.0))
        for (client, subscription) in held {
            try await fixture.waitFor(client, subscription, through: 60)
            let cursors = fixture.cursors(client, subscription)
            // Pruned past r10 (the journal keeps 50): the rest comes from Unicat's log, once.
            #expect(cursors == Array(1...60), "\(cursors)")
        }
    }
}
