import BridgeTesting
import Testing
@testable import BridgeCore

/// `bridge.status` reads the hub's figures without waiting for the hub: they are counted as
/// the hub changes. Each step here checks them against a count of the hub's own state.
@Suite struct HubFiguresTests {
    @Test func theCountedFiguresAgreeWithTheHubsStateAtEveryStep() async throws {
        let transport = RecordingTransport(policy: TransportPolicy(slowConsumerBacklog: 3), reportsBusy: true)
        let fixture = try await HubFixture(transport: transport)
        let hub = fixture.hub
        let reader = await fixture.connect()
        let idle = await fixture.connect()
        let stalled = await fixture.connect()
        try await expectAgreement(hub, clients: 3, subscriptions: 0, live: 0, blocked: 0)

        let readerRecords = try await fixture.subscribe(reader, SubscriptionFilter(types: ["records"]))
        _ = try await fixture.subscribe(reader, SubscriptionFilter(types: ["assets"]))
        _ = try await fixture.subscribe(reader, SubscriptionFilter(types: ["records"]))  // the same filter: the same subscription
        _ = try await fixture.subscribe(idle)
        _ = try await fixture.subscribe(stalled)
        for client in [reader, idle, stalled] { transport.drain(client) }
        try await expectAgreement(hub, clients: 3, subscriptions: 4, live: 4, blocked: 0)

        try await fixture.change(["r1"])
        transport.drain(reader)
        transport.drain(idle)
        try await fixture.change(["r2"])  // `stalled` has r1 queued: r2 makes it busy
        try await expectAgreement(hub, clients: 3, subscriptions: 4, live: 4, blocked: 1)

        for key in ["r3", "r4", "r5", "r6"] {
            transport.drain(reader)
            transport.drain(idle)
            try await fixture.change([key])  // `stalled`: held back past the bound of 3, a slow consumer
        }
        #expect(transport.closeCode(stalled) == 4008)
        try await expectAgreement(hub, clients: 3, subscriptions: 4, live: 3, blocked: 1)
        await hub.unregister(stalled)
        try await expectAgreement(hub, clients: 2, subscriptions: 3, live: 3, blocked: 0)

        try await hub.unsubscribe(reader, readerRecords.subscription)
        try await expectAgreement(hub, clients: 2, subscriptions: 2, live: 2, blocked: 0)
        await hub.unregister(idle)
        await hub.unregister(idle)  // twice: counted once
        try await expectAgreement(hub, clients: 1, subscriptions: 1, live: 1, blocked: 0)

        transport.drain(reader)
        _ = try await fixture.startEpoch("epoch-2")  // every subscription catches up with a reset
        try await fixture.settle()
        try await expectAgreement(hub, clients: 1, subscriptions: 1, live: 1, blocked: 0)
        #expect(hub.figures.slowConsumersDropped == 1)
        #expect(hub.figures.messagesSent == transport.messages(reader).count + transport.messages(idle).count
            + transport.messages(stalled).count - 6, "every message but the 5 responses the fixture recorded and the reset sent with the close")
    }

    private func expectAgreement(_ hub: Hub, clients: Int, subscriptions: Int, live: Int, blocked: Int,
                                 sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let counted = hub.figures
        let recounted = await hub.recountedFigures()
        #expect(counted.clients == recounted.clients && counted.subscriptions == recounted.subscriptions
                && counted.liveSubscriptions == recounted.live && counted.blockedClients == recounted.blocked,
                "counted \(counted), the hub holds \(recounted)", sourceLocation: sourceLocation)
        #expect([counted.clients, counted.subscriptions, counted.liveSubscriptions, counted.blockedClients]
                == [clients, subscriptions, live, blocked], sourceLocation: sourceLocation)
        // One transport here: its figures are the totals.
        let transport = counted.transports["recording"] ?? HubFigures.TransportFigures()
        #expect([transport.clients, transport.subscriptions, transport.blockedClients] == [clients, subscriptions, blocked],
                sourceLocation: sourceLocation)
    }
}

extension Hub {
    /// The figures counted afresh from the hub's state.
    func recountedFigures() -> (clients: Int, subscriptions: Int, live: Int, blocked: Int) {
        (clients.count, clients.values.reduce(0) { $0 + $1.subscriptions.count },
         members.values.reduce(0) { $0 + $1.count }, clients.values.filter(\.blocked).count)
    }
}
