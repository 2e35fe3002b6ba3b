/// The exact decimal value of a JSON number literal, for the questions `JSONValue.number`
/// must answer without rounding through a Double (which would call 9007199254740993 even and
/// 1.0000000000000001 whole): is it a whole number, and which Int64 is it.
struct JSONNumberLiteral {
    let negative: Bool
    /// The significant digits (ASCII), without leading or trailing zeros; empty for zero.
    let digits: [UInt8]
    /// The value is `digits × 10^exponent`. Saturated far beyond any Int64 or Double.
    let exponent: Int

    /// nil when `text` is not a JSON number literal.
    init?(_ text: String) {
        var bytes = text.utf8[...]
        negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        let integer = bytes.prefix(while: Self.isDigit)
        guard !integer.isEmpty, integer.first != UInt8(ascii: "0") || integer.count == 1 else { return nil }
        bytes = bytes[integer.endIndex...]
        var fraction = bytes[bytes.startIndex..<bytes.startIndex]
        if bytes.first == UInt8(ascii: ".") {
            fraction = bytes.dropFirst().prefix(while: Self.isDigit)
            guard !fraction.isEmpty else { return nil }
            bytes = bytes[fraction.endIndex...]
        }
        var power = 0
        if let marker = bytes.first, marker | 0x20 == UInt8(ascii: "e") {
            bytes = bytes.dropFirst()
            let exponentNegative = bytes.first == UInt8(ascii: "-")
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            let exponentDigits = bytes.prefix(while: Self.isDigit)
            guard !exponentDigits.isEmpty else { return nil }
            for digit in exponentDigits { power = min(power * 10 + Int(digit - UInt8(ascii: "0")), Self.saturation) }
            if exponentNegative { power = -power }
            bytes = bytes[exponentDigits.endIndex...]
        }
        guard bytes.isEmpty else { return nil }
        var significant = Array(integer) + Array(fraction)
        power -= fraction.count
        while significant.last == UInt8(ascii: "0") {
            significant.removeLast()
            power += 1
        }
        let leadingZeros = significant.prefix(while: { $0 == UInt8(ascii: "0") }).count
        significant.removeFirst(leadingZeros)
        digits = significant
        exponent = significant.isEmpty ? 0 : power
    }

    var isWhole: Bool { exponent >= 0 }

    var int64Value: Int64? {
        guard isWhole, digits.count + exponent <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for digit in digits + Array(repeating: UInt8(ascii: "0"), count: exponent) {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            magnitude = sum
        }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(bitPattern: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Bounds the exponent so that parsing `1e99999999999999999999` cannot overflow.
    private static let saturation = 1 << 40

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
