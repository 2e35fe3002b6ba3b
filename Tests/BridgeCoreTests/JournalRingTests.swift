import Testing
@testable import BridgeCore

@Suite struct JournalRingTests {
    func entries(_ range: ClosedRange<Int64>) -> [JournalEntry] {
        range.map { sequence in
            JournalEntry(sequence: sequence, item: SyncItem(stream: .project, cursor: sequence, action: "UPDATE", dataType: "records", dataKey: "r\(sequence)"),
                         position: BridgePosition(epoch: "e", cursors: SyncCursors(cc: 0, project: sequence)), committedAt: 0)
        }
    }

    @Test func servesOnlyRunsItHoldsFromTheStart() {
        var ring = JournalRing(capacity: 10)
        #expect(ring.entries(after: 0, limit: 5) == nil)
        for batch in stride(from: Int64(1), through: 25, by: 5) { ring.append(entries(batch...batch + 4)) }
        // Holds 16...25.
        #expect(ring.entries(after: 14, limit: 5) == nil)
        #expect(ring.entries(after: 15, limit: 3).map { $0.map(\.sequence) } == [16, 17, 18])
        #expect(ring.entries(after: 22, limit: 10).map { $0.map(\.sequence) } == [23, 24, 25])
        #expect(ring.entries(after: 25, limit: 10)?.isEmpty == true)
        // A batch that does not follow replaces what was held.
        ring.append(entries(40...41))
        #expect(ring.entries(after: 30, limit: 10) == nil)
        #expect(ring.entries(after: 39, limit: 10).map { $0.map(\.sequence) } == [40, 41])
        ring.removeAll()
        #expect(ring.entries(after: 39, limit: 10) == nil)
    }
}
