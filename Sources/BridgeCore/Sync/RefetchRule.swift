/// What a change asks of the mirror: fetch the object's current state, remove it, or
/// leave the mirror as it is. Each upstream decides (`Upstream.refetchRule`).
public enum RefetchRule: Sendable, Equatable {
    case fetch
    case remove
    case ignore
}
