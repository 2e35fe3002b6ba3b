extension Hub {
    /// Sends one message of a catching-up subscription, waiting while the client's queue is
    /// full (a catch-up never drops anything). False when the subscription or client is
    /// gone meanwhile.
    func sendInOrder(_ bytes: [UInt8], to client: UInt64, _ id: String, _ generation: UInt64) async -> Bool {
        while catchingUp(client, id, generation) != nil {
            guard let state = clients[client] else { return false }
            if state.blocked {
                await writable(client)
                continue
            }
            let status = state.transport.send(client, bytes)
            switch status {
            case .ok, .busy, .superseded:  // (a plain send never supersedes)
                count {
                    $0.messagesSent += 1
                    $0.bytesSent += bytes.count
                }
                if status == .busy { markBlocked(client) }
                return true
            case .queueFull:
                markBlocked(client)
            case .unknownClient, .stopped:
                unregister(client)
                return false
            }
        }
        return false
    }

    /// Returns once the client's transport has drained (or the client is gone).
    func writable(_ client: UInt64) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            guard let state = clients[client], state.blocked, !state.closing else {
                waiter.resume()
                return
            }
            state.writableWaiters.append(waiter)
        }
    }

    /// Disconnects a client whose queue overflowed, telling it where it got to.
    func dropSlowConsumer(_ client: UInt64, subscription id: String) {
        guard let state = clients[client], !state.closing else { return }
        state.closing = true
        for subscription in state.subscriptions.values { leave(subscription.group, client) }
        for task in state.catchUps.values { task.cancel() }
        state.catchUps.removeAll()
        let waiters = state.writableWaiters
        state.writableWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
        count { $0.slowConsumersDropped += 1 }
        let final = ChangeNotification.reset(subscription: id, reason: "slow_consumer", position: state.subscriptions[id]?.position ?? position)
        logger.notice("client \(client) on \(state.transport.name) is not reading: disconnected as a slow consumer")
        state.transport.close(client, final: final, code: state.transport.policy.slowConsumerCloseCode, reason: "slow consumer")
    }
}
