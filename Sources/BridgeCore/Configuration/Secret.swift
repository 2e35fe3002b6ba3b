/// A credential (API key or JWT). Its descriptions are redacted so it cannot reach a log
/// line or an error message by accident; `reveal()` is the only way to the text.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) { self.value = value }

    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
