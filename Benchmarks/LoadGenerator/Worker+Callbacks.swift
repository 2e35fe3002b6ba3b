import CLibWebSockets
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// lws callbacks (service thread): connection life cycle, receive, write.
extension Worker {
    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, user: UnsafeMutableRawPointer?,
                input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        let index = Int(bitPattern: user) - 1
        guard connections.indices.contains(index) else {
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        }
        switch reason {
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            guard connections[index].phase == .connecting else { return 0 }
            settleFailure(index, reason: input.map { Self.cString($0, length) } ?? "connection failed")
            return 0

        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            established(index, wsi)
            return 0

        case LWS_CALLBACK_CLIENT_RECEIVE:
            return receive(index, wsi, input, length)

        case LWS_CALLBACK_CLIENT_WRITEABLE:
            return writable(index, wsi)

        case LWS_CALLBACK_TIMER:
            lws_callback_on_writable(wsi)
            return 0

        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if let input, length >= 2 {
                let bytes = input.assumingMemoryBound(to: UInt8.self)
                connections[index].closeCodes.append(Int(bytes[0]) << 8 | Int(bytes[1]))
            }
            return 0

        case LWS_CALLBACK_CLIENT_CLOSED:
            closed(index)
            return 0

        default:
            return lws_callback_http_dummy(wsi, reason, user, input, length)
        }
    }

    private func established(_ index: Int, _ wsi: OpaquePointer) {
        connections[index].phase = .open
        connections[index].wsi = wsi
        connections[index].fragments = []
        connections[index].flowStopped = false
        connecting -= 1
        shared.add(shared.established)
        shared.add(shared.open)
        shared.add(shared.pendingConnects, -1)
        if connections[index].role == .receiver {
            shared.add(shared.openReceivers)
            if connections[index].project.last >= seen.target { markReached(index) }
        }
        // RPC mode subscribes now; the sender waits for the controller's start.
        if plan.mode == .rpc, connections[index].role != .sender {
            connections[index].subscribePending = true
            lws_callback_on_writable(wsi)
        }
    }

    private func closed(_ index: Int) {
        guard connections[index].phase == .open else { return }
        connections[index].phase = .closed
        connections[index].wsi = nil
        shared.add(shared.open, -1)
        if connections[index].role == .receiver { shared.add(shared.openReceivers, -1) }
        if connections[index].reachedTarget {
            connections[index].reachedTarget = false
            reached.wrappingSubtract(1, ordering: .relaxed)
        }
        if !connections[index].closeRequested {
            connections[index].closedByPeer = true
            shared.add(shared.closedByPeer)
        }
    }

    private func markReached(_ index: Int) {
        connections[index].reachedTarget = true
        reached.wrappingAdd(1, ordering: .relaxed)
    }

    // MARK: - Receive

    private func receive(_ index: Int, _ wsi: OpaquePointer, _ input: UnsafeMutableRawPointer?, _ length: Int) -> Int32 {
        let whole = lws_is_first_fragment(wsi) != 0 && lws_is_final_fragment(wsi) != 0
            && lws_remaining_packet_payload(wsi) == 0
        if whole, connections[index].fragments.isEmpty {
            process(index, wsi, UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length))
            return 0
        }
        if let input, length > 0 {
            connections[index].fragments.append(contentsOf: UnsafeRawBufferPointer(start: input, count: length))
        }
        guard lws_is_final_fragment(wsi) != 0, lws_remaining_packet_payload(wsi) == 0 else { return 0 }
        let message = connections[index].fragments
        connections[index].fragments = []
        message.withUnsafeBytes { process(index, wsi, $0) }
        return 0
    }

    /// One complete message: counted, and for `sync.changes` each item checked and timed.
    private func process(_ index: Int, _ wsi: OpaquePointer, _ bytes: UnsafeRawBufferPointer) {
        let role = connections[index].role
        guard role != .sender else { return }
        connections[index].bytes += bytes.count
        shared.add(shared.bytes, bytes.count)
        switch ChangeScanner.kind(of: bytes) {
        case .changes:
            break
        case .reset:
            connections[index].resets += 1
            shared.add(shared.resets)
            return
        case .response:
            shared.add(shared.otherMessages)
            if let position = ChangeScanner.scanItems(bytes, item: { _, _ in }) { connections[index].remember(position) }
            return
        case .other:
            shared.add(shared.otherMessages)
            return
        }
        connections[index].messages += 1
        shared.add(shared.messages)
        if role == .stalled, !connections[index].flowStopped {
            // A consumer that stops reading: lws stops taking data off this socket, and a small
            // receive buffer keeps the kernel from absorbing what the server's queue should hold.
            connections[index].flowStopped = true
            lws_rx_flow_control(wsi, 0)
            var bufferSize: Int32 = 4096
            _ = setsockopt(lws_get_socket_fd(wsi), SOL_SOCKET, SO_RCVBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        }
        let keep = role == .receiver && connections[index].sampled
        let now = clock.now()
        var items = 0
        var duplicates = 0
        var outOfOrder = 0
        let position = ChangeScanner.scanItems(bytes) { stream, cursor in
            items += 1
            let outcome = stream == .project ? connections[index].project.record(cursor) : connections[index].cc.record(cursor)
            switch outcome {
            case .inOrder: break
            case .duplicate: duplicates += 1
            case .outOfOrder: outOfOrder += 1
            }
            if keep { localArrivals.append(ItemArrival(key: ItemKey(stream: stream, cursor: cursor), receivedAt: now)) }
        }
        if let position { connections[index].remember(position) }
        shared.add(shared.items, items)
        if duplicates > 0 { shared.add(shared.duplicates, duplicates) }
        if outOfOrder > 0 { shared.add(shared.outOfOrder, outOfOrder) }
        if role == .receiver, !connections[index].reachedTarget, connections[index].project.last >= seen.target {
            markReached(index)
        }
    }

    // MARK: - Write

    private func writable(_ index: Int, _ wsi: OpaquePointer) -> Int32 {
        if connections[index].closeRequested {
            lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, nil, 0)
            return -1
        }
        switch connections[index].role {
        case .sender:
            return sendNext(index, wsi)
        case .receiver, .stalled:
            guard connections[index].subscribePending else { return 0 }
            connections[index].subscribePending = false
            let request = Array(plan.subscribeRequest(since: connections[index].position).utf8)
            return write(request, to: wsi) ? 0 : -1
        }
    }

    /// The mirror sender: one message per writable callback, paced to the planned rate.
    private func sendNext(_ index: Int, _ wsi: OpaquePointer) -> Int32 {
        guard let sender = plan.sender, let startedAt = sendStartedAt,
              connections[index].sentMessages < sender.count else { return 0 }
        let now = clock.now()
        if sender.rate > 0 {
            let due = Int((now - startedAt) * sender.rate) + 1
            if connections[index].sentMessages >= due {
                let wait = (Double(connections[index].sentMessages) / sender.rate) - (now - startedAt)
                lws_set_timer_usecs(wsi, lws_usec_t(max(50, wait * 1e6)))
                return 0
            }
        }
        let cursor = Int64(connections[index].sentMessages + 1)
        shared.sendTimes.withLock { $0.append(now) }
        guard write(MirrorMessage.changes(cursor: cursor), to: wsi) else { return -1 }
        connections[index].sentMessages += 1
        shared.add(shared.sent)
        if connections[index].sentMessages < sender.count { lws_callback_on_writable(wsi) }
        return 0
    }

    private func write(_ payload: [UInt8], to wsi: OpaquePointer) -> Bool {
        let pre = clws_pre()
        var buffer = [UInt8](repeating: 0, count: pre + payload.count)
        buffer.replaceSubrange(pre..<(pre + payload.count), with: payload)
        let written = buffer.withUnsafeMutableBufferPointer { pointer -> Int32 in
            guard let base = pointer.baseAddress else { return -1 }
            return lws_write(wsi, base + pre, payload.count, LWS_WRITE_TEXT)
        }
        return written >= Int32(payload.count)
    }

    static func cString(_ input: UnsafeMutableRawPointer, _ length: Int) -> String {
        // lws passes a C string here; `length` is not always set, so bound the scan.
        let bytes = input.assumingMemoryBound(to: UInt8.self)
        var count = 0
        let limit = length > 0 ? min(length, 512) : 512
        while count < limit, bytes[count] != 0 { count += 1 }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
