/// A JSON document as a Sendable value. Unicat's data is schemaless (records carry
/// project-defined fields), so the bridge keeps objects as JSON rather than as structs.
///
/// Numbers: `.int` and `.double` are for values built in code. Parsed text yields `.int` for
/// an integer literal that is exactly an Int64's decimal form, and `.number` for every other
/// literal (fractions, exponents, `-0`, integers beyond Int64), so what Unicat sends reaches
/// subscribers byte for byte: `469.0` stays `469.0`, never `469`.
///
/// Equality and hashing are structural, over this representation: a `.number` equals only
/// the same literal (`.number("1.0")`, `.number("1e0")`, `.int(1)` and `.double(1)` are four
/// different values), so equal values always encode to equal bytes. Compare numerically with
/// `int64Value` or `doubleValue`. Strings and keys compare as Swift strings (canonically
/// equivalent Unicode is equal).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    /// Written in a form that stays a float (`469.0`, shortest round-trip); NaN and infinity,
    /// which JSON cannot express, are written as `null`.
    case double(Double)
    /// A number as Unicat wrote it: kept verbatim so it reaches subscribers unchanged. The
    /// text must be a JSON number literal (RFC 8259 §6); the parser is what makes these.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    /// JSON text encoded beforehand (a cached answer, e.g. `unicat.init`'s data), written
    /// verbatim. Only the bridge makes these, from its writer's output; the parser never
    /// does, and the accessors (`objectValue`, subscripts) see no members in one.
    case encoded([UInt8])
}

extension JSONValue {
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// Integers, and other numbers that hold a whole number in Int64's range (JSON does not
    /// distinguish `5`, `5.0` and `5e0`). Literals are read exactly, not through a Double.
    public var int64Value: Int64? {
        switch self {
        case .int(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 9.0e15: return Int64(number)
        case .number(let literal): return JSONNumberLiteral(literal)?.int64Value
        default: return nil
        }
    }

    /// The nearest Double; nil for a literal beyond Double's range (e.g. `1e400`).
    public var doubleValue: Double? {
        switch self {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .number(let literal): return Double(literal).flatMap { $0.isFinite ? $0 : nil }
        default: return nil
        }
    }

    /// A number without a fractional part, of any magnitude (JSON-RPC ids).
    var isWholeNumber: Bool {
        switch self {
        case .int: return true
        case .double(let number): return number.isFinite && number.rounded() == number
        case .number(let literal): return JSONNumberLiteral(literal)?.isWhole ?? false
        default: return false
        }
    }

    public var isNull: Bool { self == .null }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
