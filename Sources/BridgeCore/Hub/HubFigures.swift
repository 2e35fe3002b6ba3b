/// The hub's figures for `bridge.status` and `/metrics`, counted as the hub changes, under a
/// lock of their own: reading them never waits for the hub, so a status request does not
/// queue behind a fan-out, and it costs the same with 10 clients or 10,000.
public struct HubFigures: Sendable, Equatable {
    public var clients = 0
    public var subscriptions = 0
    /// Subscriptions delivered live (members of their filter's group).
    public var liveSubscriptions = 0
    /// Clients whose transport holds a message they have not taken yet.
    public var blockedClients = 0
    public var clientsOpened = 0
    public var notificationsEncoded = 0
    public var messagesSent = 0
    /// Notifications that replaced an untaken one of the same subscription (it carried both).
    public var messagesSuperseded = 0
    public var bytesSent = 0
    /// Changes a latest_only subscriber skipped because a later one for the same key followed.
    public var coalescedChanges = 0
    public var slowConsumersDropped = 0
    /// Clients, subscriptions and blocked clients of each transport, by its name.
    public var transports: [String: TransportFigures] = [:]

    public struct TransportFigures: Sendable, Equatable {
        public var clients = 0
        public var subscriptions = 0
        public var blockedClients = 0
    }

    /// Counts a change in clients, subscriptions or blocked clients of one transport, and
    /// in the totals.
    mutating func counted(clients: Int = 0, subscriptions: Int = 0, blocked: Int = 0, on transport: String) {
        self.clients += clients
        self.subscriptions += subscriptions
        blockedClients += blocked
        transports[transport, default: TransportFigures()].clients += clients
        transports[transport, default: TransportFigures()].subscriptions += subscriptions
        transports[transport, default: TransportFigures()].blockedClients += blocked
    }
}
