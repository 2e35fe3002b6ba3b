import Testing
@testable import BridgeCore

@Suite struct JournalRingTests {
    func entry(_ sequence: Int64) -> JournalEntry {
        JournalEntry(sequence: sequence, item: SyncItem(stream: .project, cursor: sequence, action: "UPDATE", dataType: "records", dataKey: "r\(sequence)"),
                     position: BridgePosition(epoch: "e", cursors: SyncCursors(cc: 0, project: sequence)), committedAt: 0)
    }

    func slots(_ range: ClosedRange<Int64>) -> [JournalRing.Slot] {
        range.map { JournalRing.Slot(entry: entry($0), plain: [], withObject: nil) }
    }

    func sequences(_ ring: JournalRing, after sequence: Int64, limit: Int) -> [Int64]? {
        ring.slots(after: sequence, limit: limit).map { $0.map(\.entry.sequence) }
    }

    @Test func servesOnlyRunsItHoldsFromTheStart() {
        var ring = JournalRing(capacity: 10)
        #expect(sequences(ring, after: 0, limit: 5) == nil)
        for batch in stride(from: Int64(1), through: 25, by: 5) { ring.append(slots(batch...batch + 4)) }
        // Holds 16...25.
        #expect(sequences(ring, after: 14, limit: 5) == nil)
        #expect(sequences(ring, after: 15, limit: 3) == [16, 17, 18])
        #expect(sequences(ring, after: 22, limit: 10) == [23, 24, 25])
        #expect(sequences(ring, after: 25, limit: 10) == [])
        // A batch that does not follow replaces what was held.
        ring.append(slots(40...41))
        #expect(sequences(ring, after: 30, limit: 10) == nil)
        #expect(sequences(ring, after: 39, limit: 10) == [40, 41])
        ring.removeAll()
        #expect(sequences(ring, after: 39, limit: 10) == nil)
    }

    @Test func findsWhereAPositionGotToOnlyWhenItHoldsTheStart() {
        var ring = JournalRing(capacity: 10)
        #expect(ring.sequence(reachedAt: SyncCursors(cc: 0, project: 5)) == nil)
        for batch in stride(from: Int64(1), through: 25, by: 5) { ring.append(slots(batch...batch + 4)) }
        // Holds 16...25, each at project cursor = its sequence.
        #expect(ring.sequence(reachedAt: SyncCursors(cc: 0, project: 15)) == nil, "before the ring: storage answers")
        #expect(ring.sequence(reachedAt: SyncCursors(cc: 0, project: 16)) == 16)
        #expect(ring.sequence(reachedAt: SyncCursors(cc: 0, project: 21)) == 21)
        #expect(ring.sequence(reachedAt: SyncCursors(cc: 0, project: 25)) == 25)
        #expect(ring.sequence(reachedAt: SyncCursors(cc: 0, project: 99)) == 25, "ahead: the last one held")
        #expect(ring.sequence(reachedAt: SyncCursors(cc: -1, project: 99)) == nil, "behind in the other stream")
    }

    @Test func keepsToItsByteBudget() {
        var ring = JournalRing(capacity: 100, maxBytes: 1_000)
        ring.append((1...20).map { JournalRing.Slot(entry: entry($0), plain: Array(repeating: 0, count: 100), withObject: nil) })
        #expect(sequences(ring, after: 10, limit: 100) == Array(11...20))
        #expect(sequences(ring, after: 9, limit: 100) == nil)
    }

    @Test func notificationsFromEncodedItemsAreTheWritersBytes() {
        let items = [entry(1), entry(2)].map { ChangeNotification.itemJSON($0, object: .present(["price": .number("469.0")])) }
        let position = BridgePosition(epoch: "e-r0", cursors: SyncCursors(cc: 3, project: 2))
        for recovered in [false, true] {
            #expect(ChangeNotification.changes(subscription: "sub-\"x\"", encodedItems: items.map { $0.encodedBytes() }, position: position, recovered: recovered)
                    == RPCMessage.notification("sync.changes", .object([
                        "subscription": "sub-\"x\"", "items": .array(items), "position": position.json,
                    ].merging(recovered ? ["recovered": true] : [:]) { $1 })).encodedBytes())
        }
    }
}
