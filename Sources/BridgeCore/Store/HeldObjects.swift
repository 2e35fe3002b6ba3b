/// What the mirror holds of some keys, or that it is more than the caller may take.
public enum HeldObjects: Sendable {
    /// Each object as stored: encoded JSON, written into an answer as it is.
    case within([String: JSONValue])
    case tooLarge(bytes: Int)
}
