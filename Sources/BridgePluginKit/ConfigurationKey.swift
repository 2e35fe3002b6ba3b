/// A key of a plugin's JSON configuration object, by name, so that every key present
/// can be checked (unknown ones are refused rather than silently ignored).
public struct ConfigurationKey: CodingKey, Hashable, Sendable {
    public let stringValue: String

    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.init(stringValue) }

    public var intValue: Int? { nil }
    public init?(intValue: Int) { nil }
}
