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
    public var bytesSent = 0
    /// Changes a latest_only subscriber skipped because a later one for the same key followed.
    public var coalescedChanges = 0
    public var slowConsumersDropped = 0
}
