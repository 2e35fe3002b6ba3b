import BridgeCore
import BridgeTesting
import BridgeTestSupport
import Foundation
import Testing

/// Delivery paths of the hub, each race made deterministic with the recording transport's
/// queue bound: every change once and in order, or an explicit reset.
@Suite struct HubDeliveryTests {
    func keys(_ range: ClosedRange<Int>) -> [String] { range.map { "r\($0)" } }

    func method(_ message: JSONValue) -> String {
        message["method"]?.stringValue ?? (message["response"] != nil ? "response" : "?")
    }

    @Test func theResponseComesBeforeTheResetForAnotherEpoch() async throws {
        let fixture = try await HubFixture()
        try await fixture.change(keys(1...3))
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, since: BridgePosition(epoch: "other-epoch", cursors: SyncCursors(cc: 0, project: 2)))
        try await fixture.settle()
        let messages = fixture.transport.messages(client)
        #expect(messages.map(method) == ["response", "sync.reset"])
        #expect(messages.last?["params"]?["reason"] == "epoch_changed")
        #expect(subscribed.position == BridgePosition(epoch: "epoch-1", cursors: SyncCursors(cc: 0, project: 3)))
        // It carries on from the position the reset names.
        try await fixture.change(keys(4...4))
        try await fixture.waitFor(client, subscribed.subscription, through: 4)
        #expect(fixture.cursors(client, subscribed.subscription) == [4])
    }

    @Test func nothingPrecedesTheResponseOfALiveSubscription() async throws {
        let fixture = try await HubFixture()
        let client = await fixture.connect()
        // A batch published between subscribing and the response going out.
        let subscribed = try await fixture.hub.subscribe(client, filter: SubscriptionFilter(), since: nil)
        try await fixture.change(keys(1...2))
        _ = fixture.transport.send(client, Array(#"{"response": {}}"#.utf8))
        await fixture.hub.activate(client, subscribed.subscription, generation: subscribed.generation)
        try await fixture.waitFor(client, subscribed.subscription, through: 2)
        #expect(fixture.transport.messages(client).map(method) == ["response", "sync.changes"])
        #expect(fixture.cursors(client, subscribed.subscription) == [1, 2])
    }

    @Test func anExistingObjectIsNeverNullWhenTheBatchDidNotCarryIt() async throws {
        let fixture = try await HubFixture()
        // r1 is in the mirror; r2 nowhere and Unicat refuses it; r3 is deleted.
        try await fixture.change(["r1"], objects: ["r1": .present(["gid": "r1", "price": 1])])
        fixture.upstream.failKey("records", "r2")
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, SubscriptionFilter(includeObjects: true))
        try await fixture.change(["r1", "r2"])
        try await fixture.change(["r3"], action: "DELETE")
        try await fixture.waitFor(client, subscribed.subscription, through: 4)
        let items = fixture.items(client, subscribed.subscription)
        #expect(items.map { $0["data_key"] } == ["r1", "r2", "r3"])
        #expect(items[0]["object"]?["gid"] == "r1")
        #expect(items[1]["object"] == nil)
        #expect(items[1]["object_error"]?.stringValue?.contains("records/r2") == true)
        #expect(items[2]["object"] == .null)
    }

    @Test func resumingAcrossInstancesSkipsWhatTheOtherInstanceDelivered() async throws {
        // This instance applied p1, cc1, p2; the subscriber's instance applied cc1 first, so
        // it holds (cc 1, project 0): after cc1, before p1, a position this one never had.
        let fixture = try await HubFixture()
        try await fixture.commit([
            SyncItem(stream: .project, cursor: 1, action: "UPDATE", dataType: "records", dataKey: "a"),
            SyncItem(stream: .cc, cursor: 1, action: "UPDATE", dataType: "cc.users", dataKey: "u"),
            SyncItem(stream: .project, cursor: 2, action: "UPDATE", dataType: "records", dataKey: "b"),
        ])
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, since: BridgePosition(epoch: "epoch-1", cursors: SyncCursors(cc: 1, project: 0)))
        #expect(subscribed.recovered)
        try await fixture.waitFor(client, subscribed.subscription, through: 2)
        let items = fixture.items(client, subscribed.subscription)
        #expect(items.map { $0["data_key"] } == ["a", "b"], "cc1 was delivered by the other instance")
    }

    @Test func aPositionAheadOfThisInstanceWaitsForItWithoutRepeats() async throws {
        let fixture = try await HubFixture()
        try await fixture.change(keys(1...2))
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, since: BridgePosition(epoch: "epoch-1", cursors: SyncCursors(cc: 0, project: 4)))
        try await fixture.change(keys(3...6))
        try await fixture.waitFor(client, subscribed.subscription, through: 6)
        #expect(fixture.cursors(client, subscribed.subscription) == [5, 6])
    }

    @Test func subscriptionIDsDoNotCollideAcrossDifferentFilters() async throws {
        #expect(SubscriptionFilter(keys: ["*"]).subscriptionID != SubscriptionFilter().subscriptionID)
        #expect(SubscriptionFilter(keys: ["a,b"]).subscriptionID != SubscriptionFilter(keys: ["a", "b"]).subscriptionID)
        #expect(SubscriptionFilter(types: ["records"]).subscriptionID == SubscriptionFilter(types: ["records"]).subscriptionID)
        // Each member gets what its own filter says.
        let fixture = try await HubFixture()
        let star = await fixture.connect()
        let all = await fixture.connect()
        let onlyStar = try await fixture.subscribe(star, SubscriptionFilter(keys: ["*"]))
        let everything = try await fixture.subscribe(all)
        try await fixture.change(["r1", "*"])
        try await fixture.waitFor(all, everything.subscription, through: 2)
        try await fixture.waitFor(star, onlyStar.subscription, through: 2)
        #expect(fixture.items(star, onlyStar.subscription).map { $0["data_key"] } == ["*"])
        #expect(fixture.items(all, everything.subscription).map { $0["data_key"] } == ["r1", "*"])
    }

    @Test func aNewEpochMidResumeEndsTheOldEpochsReplay() async throws {
        let transport = RecordingTransport(capacity: 2)
        let fixture = try await HubFixture(transport: transport)
        try await fixture.change(keys(1...700))  // two replay pages
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, since: BridgePosition(epoch: "epoch-1", cursors: SyncCursors(cc: 0, project: 0)))
        // The response and the first page fill the queue: the replay waits for the client.
        try await fixture.waitFor(client, subscribed.subscription, through: 500)
        let first = try await fixture.startEpoch("epoch-2")
        try await fixture.change(["n1"])
        transport.setCapacity(.max)
        await fixture.hub.clientsWritable([client])
        try await eventually("the reset and the new epoch's change") {
            fixture.items(client, subscribed.subscription).last?["data_key"] == "n1"
        }
        let messages = transport.messages(client)
        let reset = try #require(messages.firstIndex { $0["method"] == "sync.reset" })
        #expect(messages[reset]["params"]?["reason"] == "epoch_changed")
        #expect(messages[reset]["params"]?["position"] == first.json)
        let after = messages[(reset + 1)...].flatMap { $0["params"]?["items"]?.arrayValue ?? [] }
        #expect(after.map { $0["position"]?["epoch"] } == ["epoch-2"], "no old-epoch item after the reset")
    }

    @Test func aCatchUpWaitsForASlowClientAndLosesNothing() async throws {
        let transport = RecordingTransport(capacity: 2)
        let fixture = try await HubFixture(journalSize: 5_000, transport: transport)
        try await fixture.change(keys(1...1_600))
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, since: BridgePosition(epoch: "epoch-1", cursors: SyncCursors(cc: 0, project: 0)))
        for _ in 0..<6 {
            try await Task.sleep(for: .milliseconds(20))
            transport.drain(client)
            await fixture.hub.clientsWritable([client])
        }
        try await fixture.change(keys(1_601...1_610))
        transport.setCapacity(.max)
        await fixture.hub.clientsWritable([client])
        try await fixture.waitFor(client, subscribed.subscription, through: 1_610)
        #expect(fixture.cursors(client, subscribed.subscription) == Array(1...1_610))
        #expect(transport.closeCode(client) == nil, "a catch-up is never a slow consumer")
    }

    @Test func aLiveSubscriberThatStopsReadingIsResetAndDisconnected() async throws {
        let transport = RecordingTransport(capacity: 3)
        let fixture = try await HubFixture(transport: transport)
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client)
        for key in keys(1...3) { try await fixture.change([key]) }
        let reset = try #require(transport.messages(client).last)
        #expect(reset["method"] == "sync.reset")
        #expect(reset["params"]?["reason"] == "slow_consumer")
        #expect(reset["params"]?["position"]?["cursor"] == 2, "the last change it was given")
        #expect(transport.closeCode(client) == 4008)
        #expect(fixture.cursors(client, subscribed.subscription) == [1, 2])
    }

    @Test func changesWaitingForABusySocketGoOutTogether() async throws {
        let transport = RecordingTransport(reportsBusy: true)
        let fixture = try await HubFixture(transport: transport)
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client)
        transport.drain(client)
        for key in keys(1...6) { try await fixture.change([key]) }
        // r1 went out at once, r2 queued behind it (busy); r3...r6 wait for the socket.
        #expect(fixture.transport.messages(client).filter { $0["method"] == "sync.changes" }.count == 2)
        transport.drain(client)
        await fixture.hub.clientsWritable([client])
        try await fixture.waitFor(client, subscribed.subscription, through: 6)
        let notifications = fixture.transport.messages(client).filter { $0["method"] == "sync.changes" }
        #expect(notifications.map { $0["params"]?["items"]?.arrayValue?.count } == [1, 1, 4])
        #expect(fixture.cursors(client, subscribed.subscription) == Array(1...6))
        #expect(transport.closeCode(client) == nil)
    }

    @Test func aLiveSubscriberHeldBackPastTheBoundIsASlowConsumer() async throws {
        let transport = RecordingTransport(policy: TransportPolicy(slowConsumerBacklog: 5), reportsBusy: true)
        let fixture = try await HubFixture(transport: transport)
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client)
        transport.drain(client)  // the client read the response, and nothing after it
        for key in keys(1...10) { try await fixture.change([key]) }
        #expect(transport.closeCode(client) == 4008)
        let reset = try #require(transport.messages(client).last)
        #expect(reset["params"]?["reason"] == "slow_consumer")
        #expect(reset["params"]?["position"]?["cursor"] == 2, "the last change it was given")
        #expect(fixture.cursors(client, subscribed.subscription) == [1, 2])
    }

    @Test func aClientHeldBackAgainIsMeasuredFromItsLatestHoldBack() async throws {
        let transport = RecordingTransport(policy: TransportPolicy(slowConsumerBacklog: 5), reportsBusy: true)
        let fixture = try await HubFixture(transport: transport)
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client)
        transport.drain(client)
        for key in keys(1...4) { try await fixture.change([key]) }  // held back from 2 on: its bound is 7
        transport.drain(client)
        await fixture.hub.clientsWritable([client])  // gets 3 and 4; no longer held
        for key in keys(5...10) { try await fixture.change([key]) }  // held back from 5 on: its bound is 10
        #expect(transport.closeCode(client) == nil, "the first hold-back's bound passed at 8: not this one's")
        try await fixture.change(["r11"])
        #expect(transport.closeCode(client) == 4008)
        #expect(fixture.cursors(client, subscribed.subscription) == [1, 2, 3, 4, 5])
    }

    @Test func latestOnlyCatchesUpWithTheLastChangePerKey() async throws {
        let transport = RecordingTransport(capacity: 2)
        let fixture = try await HubFixture(transport: transport)
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, SubscriptionFilter(latestOnly: true))
        try await fixture.change(["a"])      // fills the queue
        try await fixture.change(["b", "a"]) // refused: waits in the journal
        try await fixture.change(["a", "c"])
        transport.setCapacity(.max)
        await fixture.hub.clientsWritable([client])
        try await fixture.waitFor(client, subscribed.subscription, through: 5)
        let items = fixture.items(client, subscribed.subscription)
        #expect(items.map { $0["data_key"] } == ["a", "b", "a", "c"])
        #expect(items.map { $0["cursor"] } == [1, 2, 4, 5])
        #expect(transport.closeCode(client) == nil)
    }
}

/// Subscribers resuming from before the journal: refilled from Unicat's log page by page,
/// shared, and never silently short.
@Suite struct HubRefillTests {
    let start = BridgePosition(epoch: "epoch-1", cursors: SyncCursors(cc: 0, project: 0))

    func changes(_ fixture: HubFixture, _ range: ClosedRange<Int>) async throws {
        for batch in stride(from: range.lowerBound, through: range.upperBound, by: 10) {
            try await fixture.change((batch...min(batch + 9, range.upperBound)).map { "r\($0)" })
        }
    }

    @Test func aRefillIsPagedAndStreamedNotHeldWhole() async throws {
        let fixture = try await HubFixture(journalSize: 10, upstream: ScriptedUpstream(pageSize: 50))
        try await changes(fixture, 1...300)
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, since: start)
        try await fixture.waitFor(client, subscribed.subscription, through: 300)
        #expect(fixture.cursors(client, subscribed.subscription) == Array(1...300))
        let notifications = fixture.transport.messages(client).filter { $0["method"] == "sync.changes" }
        let sizes = notifications.map { $0["params"]?["items"]?.arrayValue?.count ?? 0 }
        #expect(sizes.allSatisfy { $0 <= 50 }, "one Unicat page per notification at most, got \(sizes)")
        #expect(fixture.upstream.requests("sync/get") <= 7)
    }

    @Test func subscribersResumingFromTheSamePlaceShareTheRefill() async throws {
        let fixture = try await HubFixture(journalSize: 10, upstream: ScriptedUpstream(pageSize: 50))
        try await changes(fixture, 1...200)
        let hold = fixture.upstream.hold("sync/get")
        var subscriptions: [(UInt64, String)] = []
        for types in [["records"], ["records", "assets"], ["records", "definitions"]] {
            let client = await fixture.connect()
            subscriptions.append((client, try await fixture.subscribe(client, SubscriptionFilter(types: Set(types)), since: start).subscription))
        }
        await hold.arrived()
        hold.release()
        for (client, subscription) in subscriptions {
            try await fixture.waitFor(client, subscription, through: 200)
            #expect(fixture.cursors(client, subscription) == Array(1...200))
        }
        #expect(fixture.upstream.requests("sync/get") <= 5, "one pass over the gap for all three")
    }

    @Test func theJournalPrunedDuringARefillLeavesNoGap() async throws {
        let fixture = try await HubFixture(journalSize: 10, upstream: ScriptedUpstream(pageSize: 1_000))
        try await changes(fixture, 1...50)
        let hold = fixture.upstream.hold("sync/get")
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, since: start)
        await hold.arrived()
        // Unicat's answer was computed (items 1...50); meanwhile the journal moves past it.
        try await changes(fixture, 51...100)
        hold.release()
        try await fixture.waitFor(client, subscribed.subscription, through: 100)
        #expect(fixture.cursors(client, subscribed.subscription) == Array(1...100))
        #expect(!fixture.transport.messages(client).contains { $0["method"] == "sync.reset" })
    }

    @Test func aRangeUnicatNoLongerHoldsEndsInAReset() async throws {
        let fixture = try await HubFixture(journalSize: 10)
        try await changes(fixture, 1...50)
        fixture.upstream.pruneLog(projectThrough: 20)
        let client = await fixture.connect()
        let subscribed = try await fixture.subscribe(client, since: start)
        try await fixture.settle()
        let reset = try #require(fixture.transport.messages(client).first { $0["method"] == "sync.reset" })
        #expect(reset["params"]?["reason"] == "resnapshot_required")
        #expect(reset["params"]?["position"]?["cursor"] == 50)
        try await fixture.change(["later"])
        try await fixture.waitFor(client, subscribed.subscription, through: 51)
        #expect(fixture.cursors(client, subscribed.subscription) == [51], "it carries on from the reset's position")
    }
}
