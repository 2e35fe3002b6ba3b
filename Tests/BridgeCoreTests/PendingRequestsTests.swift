import Testing
@testable import BridgeCore

/// What clients may have waiting for answers: messages and bytes per client, bytes over all.
@Suite struct PendingRequestsTests {
    @Test func aClientIsRefusedPastItsMessagesOrItsBytes() {
        var pending = PendingRequests(maxMessages: 3, maxTotalBytes: 1_000)
        pending.open(1, maxBytes: 100)
        #expect(pending.admit(60, from: 1) == .admitted)
        #expect(pending.admit(50, from: 1) == .refused("more than 100 bytes of requests waiting for answers"))
        #expect(pending.admit(40, from: 1) == .admitted)
        pending.answered(60, for: 1)
        #expect(pending.admit(60, from: 1) == .admitted, "an answer makes room")
        #expect(pending.admit(0, from: 1) == .admitted)
        #expect(pending.admit(0, from: 1) == .refused("more than 3 requests waiting for answers"))
        #expect(pending.admit(1, from: 2) == .unknownClient)
    }

    @Test func pastTheTotalOnlyClientsSendingAheadAreRefused() {
        var pending = PendingRequests(maxMessages: 100, maxTotalBytes: 250)
        for client: UInt64 in 1...3 { pending.open(client, maxBytes: 200) }
        #expect(pending.admit(150, from: 1) == .admitted)
        #expect(pending.admit(100, from: 2) == .admitted)
        #expect(pending.admit(10, from: 1) == .refused(
            "requests ahead of its answers while the bridge holds more than 250 bytes of requests from all clients"))
        #expect(pending.admit(100, from: 3) == .admitted, "nothing waiting: served, whatever the total")
        #expect(pending.totalBytes == 350)
        // A closed client's bytes count until they are answered.
        pending.close(1)
        #expect(pending.totalBytes == 350)
        pending.answered(150, for: 1)
        #expect(pending.totalBytes == 200)
    }

    @Test func aPeersConnectionsShareABudget() {
        var pending = PendingRequests(maxMessages: 100, maxTotalBytes: 1_000_000)
        for client: UInt64 in 1...5 { pending.open(client, maxBytes: 100, peer: "uid 1000") }
        pending.open(9, maxBytes: 100, peer: "uid 1001")
        for client: UInt64 in 1...4 { #expect(pending.admit(100, from: client) == .admitted) }
        #expect(pending.admit(1, from: 5) == .refused("more than 400 bytes of requests waiting for answers from uid 1000 over all its connections"))
        #expect(pending.admit(100, from: 9) == .admitted, "another peer has its own")
        pending.answered(100, for: 1)
        #expect(pending.admit(100, from: 5) == .admitted, "an answer makes room")
        pending.close(2)
        #expect(pending.admit(100, from: 1) == .admitted, "a closed connection's bytes leave the peer's count")
        #expect(pending.admit(1, from: 3) == .refused("more than 100 bytes of requests waiting for answers"))
    }
}
