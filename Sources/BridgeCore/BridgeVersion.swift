/// The bridge's own version and the protocol versions it speaks.
public enum BridgeVersion {
    public static let current = "0.1.0"
    public static let serverName = "unicat-bridge"
}
