#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import BridgePluginKit
import CBridgePlugin
import Synchronization
import Testing

@Suite struct ClientOutboxTests {
    final class WritableCounter: Sendable {
        let count = Atomic(0)
        func callback() -> @Sendable () -> Void { { self.count.add(1, ordering: .relaxed) } }
        var value: Int { count.load(ordering: .relaxed) }
    }

    static func text(_ next: ClientOutbox.Next) -> String? {
        guard case .message(let message, _) = next else { return nil }
        return message.withBytes { String(decoding: $0, as: UTF8.self) }
    }

    static func isFinished(_ next: ClientOutbox.Next) -> Bool {
        if case .finished = next { return true }
        return false
    }

    /// Busy means the writer is behind on the client: four messages waiting, or some waiting
    /// for 20 ms without one taken. Before, the second message waiting was busy already, and
    /// every subscriber the writer had not reached yet was held back for the hold-back round trip.
    @Test func busyOnlyOnceTheWriterIsBehind() {
        let writable = WritableCounter()
        let outbox = ClientOutbox(maxMessages: 100, maxBytes: 1 << 20, reportsBusy: true, onWritable: writable.callback())
        #expect(outbox.enqueue(SharedMessage("1")) == BRIDGE_OK)
        _ = outbox.take(until: .now)
        // The writer keeps up: a message now and then waits behind none, however long apart.
        usleep(30_000)
        #expect(outbox.enqueue(SharedMessage("2")) == BRIDGE_OK, "the queue was empty: nothing waited")
        let statuses = (3...6).map { outbox.enqueue(SharedMessage("\($0)")) }
        #expect(statuses.first == BRIDGE_OK, "behind one just queued: the writer is not behind")
        #expect(statuses.last == BRIDGE_OK_BUSY, "the fifth waiting, behind four")
        while Self.text(outbox.take(until: .now)) != nil {}
        #expect(writable.value == 1, "said once, when the queue emptied")

        #expect(outbox.enqueue(SharedMessage("7")) == BRIDGE_OK)
        usleep(30_000)
        #expect(outbox.enqueue(SharedMessage("8")) == BRIDGE_OK_BUSY, "one waited 30 ms with none taken")
        #expect(Self.text(outbox.take(until: .now)) == "7")
        #expect(outbox.enqueue(SharedMessage("9")) == BRIDGE_OK, "the writer took one just now")
    }

    /// The writer learns from `take` whether to keep going (and cork): a close to finish counts.
    @Test func eachMessageSaysWhetherMoreWaitsBehindIt() {
        let outbox = ClientOutbox(maxMessages: 10, maxBytes: 1 << 20, onWritable: {})
        #expect(outbox.enqueue(SharedMessage("1")) == BRIDGE_OK)
        #expect(outbox.enqueue(SharedMessage("2")) == BRIDGE_OK)
        #expect(Self.more(outbox.take(until: .now)) == true)
        #expect(Self.more(outbox.take(until: .now)) == false)
        #expect(outbox.enqueue(SharedMessage("3")) == BRIDGE_OK)
        outbox.enqueueFinal(SharedMessage("bye"))
        #expect(Self.more(outbox.take(until: .now)) == true, "the final message follows")
        #expect(Self.more(outbox.take(until: .now)) == true, "the close follows the final message")
        #expect(Self.isFinished(outbox.take(until: .now)))
    }

    /// A superseding message replaces the last one while the writer has not taken it and it
    /// was queued for the same stream; anything else is queued behind, as `enqueue` would.
    @Test func anUntakenMessageOfTheSameStreamIsSuperseded() {
        let outbox = ClientOutbox(maxMessages: 10, maxBytes: 1 << 20, onWritable: {})
        func supersede(_ alone: String, _ combined: String?, stream: UInt64 = 7) -> bridge_status {
            outbox.enqueue(SharedMessage(alone), superseding: stream, combined: combined.map { SharedMessage($0) })
        }
        #expect(supersede("a", "never") == BRIDGE_OK, "nothing to replace yet")
        #expect(supersede("b", "ab") == BRIDGE_OK_SUPERSEDED)
        #expect(supersede("c", "abc") == BRIDGE_OK_SUPERSEDED)
        #expect(supersede("x", nil) == BRIDGE_OK, "no combined message: queued behind")
        #expect(supersede("y", "xy", stream: 8) == BRIDGE_OK, "another stream's is not replaced")
        #expect(supersede("z", "yz", stream: 8) == BRIDGE_OK_SUPERSEDED)
        #expect(outbox.enqueue(SharedMessage("response")) == BRIDGE_OK)
        #expect(supersede("w", "yzw", stream: 8) == BRIDGE_OK, "a message queued since is in the way")
        #expect((0..<5).map { _ in Self.text(outbox.take(until: .now)) } == ["abc", "x", "yz", "response", "w"])
        #expect(supersede("v", "wv", stream: 8) == BRIDGE_OK, "taken: it went out as it was")
        #expect(Self.text(outbox.take(until: .now)) == "v")
        #expect(Self.text(outbox.take(until: .now)) == nil)

        // Behind another message, the supersedable one stays replaceable until it is taken itself.
        #expect(outbox.enqueue(SharedMessage("first")) == BRIDGE_OK)
        #expect(supersede("1", nil) == BRIDGE_OK)
        #expect(Self.text(outbox.take(until: .now)) == "first")
        #expect(supersede("2", "12") == BRIDGE_OK_SUPERSEDED)
        outbox.enqueueFinal(nil)
        #expect(supersede("3", "123") == BRIDGE_ERR_UNKNOWN_CLIENT, "closing: nothing more, replaced or not")
        #expect(Self.text(outbox.take(until: .now)) == "12")
    }

    /// A replacement keeps to the byte bound unless it is the only message; a replaced
    /// message adds nothing to the count.
    @Test func aSupersedingMessageKeepsToTheBounds() {
        let outbox = ClientOutbox(maxMessages: 2, maxBytes: 10, onWritable: {})
        #expect(outbox.enqueue(SharedMessage("12345"), superseding: 1, combined: nil) == BRIDGE_OK)
        #expect(outbox.enqueue(SharedMessage("x"), superseding: 1, combined: SharedMessage("12345678901234")) == BRIDGE_OK_SUPERSEDED,
                "the only message may be of any size")
        #expect(outbox.backlog.bytes == 14)
        #expect(Self.text(outbox.take(until: .now)) == "12345678901234")
        #expect(outbox.enqueue(SharedMessage("123")) == BRIDGE_OK)
        #expect(outbox.enqueue(SharedMessage("456"), superseding: 1, combined: nil) == BRIDGE_OK)
        #expect(outbox.enqueue(SharedMessage("7"), superseding: 1, combined: SharedMessage("45678901")) == BRIDGE_ERR_QUEUE_FULL,
                "the replacement would pass 10 bytes, and the count is at its bound")
        #expect(outbox.enqueue(SharedMessage("7"), superseding: 1, combined: SharedMessage("4567")) == BRIDGE_OK_SUPERSEDED)
        #expect(outbox.backlog == (messages: 2, bytes: 7))
    }

    static func more(_ next: ClientOutbox.Next) -> Bool? {
        guard case .message(_, let more) = next else { return nil }
        return more
    }

    @Test func boundedByCountAndBytes() {
        let counted = ClientOutbox(maxMessages: 2, maxBytes: 1000) {}
        #expect(counted.enqueue(SharedMessage("a")) == BRIDGE_OK)
        #expect(counted.enqueue(SharedMessage("b")) == BRIDGE_OK)
        #expect(counted.enqueue(SharedMessage("c")) == BRIDGE_ERR_QUEUE_FULL)
        #expect(counted.backlog == (2, 2))

        let sized = ClientOutbox(maxMessages: 100, maxBytes: 10) {}
        #expect(sized.enqueue(SharedMessage("12345678")) == BRIDGE_OK)
        #expect(sized.enqueue(SharedMessage("123")) == BRIDGE_ERR_QUEUE_FULL)
        #expect(sized.enqueue(SharedMessage("12")) == BRIDGE_OK)
    }

    @Test func takesInOrderAndTimesOutWhenEmpty() {
        let outbox = ClientOutbox(maxMessages: 10, maxBytes: 1000) {}
        _ = outbox.enqueue(SharedMessage("1"))
        _ = outbox.enqueue(SharedMessage("2"))
        #expect(Self.text(outbox.take(until: nil)) == "1")
        #expect(Self.text(outbox.take(until: nil)) == "2")
        let mostOfTheWait = MonotonicDeadline.after(seconds: 0.04)
        guard case .timedOut = outbox.take(until: .after(seconds: 0.05)) else {
            Issue.record("expected a time-out")
            return
        }
        #expect(mostOfTheWait.hasPassed)
    }

    @Test func writableOnceAfterARefusalWhenDrainedToHalf() {
        let counter = WritableCounter()
        let outbox = ClientOutbox(maxMessages: 4, maxBytes: 1000, onWritable: counter.callback())
        for _ in 0..<4 { _ = outbox.enqueue(SharedMessage("m")) }
        _ = outbox.take(until: nil)
        #expect(counter.value == 0)  // no refusal yet
        _ = outbox.enqueue(SharedMessage("m"))
        #expect(outbox.enqueue(SharedMessage("m")) == BRIDGE_ERR_QUEUE_FULL)
        _ = outbox.take(until: nil)
        #expect(counter.value == 0)  // 3 left, above the low-water mark of 2
        _ = outbox.take(until: nil)
        #expect(counter.value == 1)
        _ = outbox.take(until: nil)
        _ = outbox.take(until: nil)
        #expect(counter.value == 1)
    }

    @Test func theFinalMessageGoesBeyondTheBoundAndEndsTheOutbox() {
        let counter = WritableCounter()
        let outbox = ClientOutbox(maxMessages: 1, maxBytes: 1000, onWritable: counter.callback())
        _ = outbox.enqueue(SharedMessage("queued"))
        #expect(outbox.enqueue(SharedMessage("refused")) == BRIDGE_ERR_QUEUE_FULL)
        #expect(outbox.enqueueFinal(SharedMessage("bye")))
        #expect(!outbox.enqueueFinal(SharedMessage("again")))
        #expect(outbox.enqueue(SharedMessage("late")) == BRIDGE_ERR_UNKNOWN_CLIENT)
        #expect(outbox.backlog == (2, 9))
        #expect(Self.text(outbox.take(until: nil)) == "queued")
        #expect(Self.text(outbox.take(until: nil)) == "bye")
        #expect(Self.isFinished(outbox.take(until: nil)))
        #expect(Self.isFinished(outbox.take(until: nil)))
        #expect(counter.value == 0)  // a closing client is not writable again
    }

    @Test func closingWithoutAFinalMessageDrainsThenFinishes() {
        let outbox = ClientOutbox(maxMessages: 4, maxBytes: 1000) {}
        _ = outbox.enqueue(SharedMessage("last"))
        outbox.enqueueFinal(nil)
        #expect(Self.text(outbox.take(until: nil)) == "last")
        #expect(Self.isFinished(outbox.take(until: nil)))
    }

    @Test func aWaitingWriterIsWokenByMessagesAndByDiscard() throws {
        let outbox = ClientOutbox(maxMessages: 4, maxBytes: 1000) {}
        let received = Locked<[String]>([])
        let writer = try PluginThread(name: "test writer") {
            while true {
                let next = outbox.take(until: nil)
                guard let text = Self.text(next) else { break }
                received.withLock { $0.append(text) }
            }
        }
        _ = outbox.enqueue(SharedMessage("one"))
        let deadline = MonotonicDeadline.after(seconds: 10)
        while received.withLock({ $0.isEmpty }) && !deadline.hasPassed { usleepBriefly() }
        outbox.discardAll()
        writer.join()
        #expect(received.withLock { $0 } == ["one"])
        #expect(outbox.enqueue(SharedMessage("after")) == BRIDGE_ERR_UNKNOWN_CLIENT)
    }
}

/// Lets another thread run for a millisecond.
func usleepBriefly() {
    var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
    nanosleep(&pause, nil)
}
