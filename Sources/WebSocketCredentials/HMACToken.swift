import CLibWebSockets

/// Tokens a backend mints with a shared secret: `v1.<expiry>.<subject>.<mac>`, where
/// `expiry` is a Unix time in seconds, `subject` names the holder (letters, digits, `.`,
/// `_`, `~`, `-`; at most 128) and `mac` is the lowercase hex HMAC-SHA256 of
/// `v1.<expiry>.<subject>` under the secret. Every part is safe in a URL, a header and a
/// WebSocket subprotocol name.
public struct HMACToken: Sendable {
    public static let version = "v1"
    public static let maxSubjectLength = 128
    /// Shortest secret accepted (bytes).
    public static let minimumSecretLength = 32

    private let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// What a token is worth under this secret at `now`.
    public func verdict(on token: [UInt8], now: Int64) -> HMACTokenVerdict {
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].elementsEqual(Self.version.utf8) else {
            return .malformed("not of the form \(Self.version).<expiry>.<subject>.<mac>")
        }
        guard parts[1].count <= 12, !parts[1].isEmpty, parts[1].allSatisfy(Self.isDigit),
              let expiry = Int64(String(decoding: parts[1], as: UTF8.self))
        else { return .malformed("the expiry is not a Unix time in seconds") }
        guard let mac = parts.last, mac.count == 64 else { return .malformed("the signature is not 64 hex digits") }
        let subject = token[parts[2].startIndex..<parts[parts.count - 2].endIndex]
        guard (1...Self.maxSubjectLength).contains(subject.count), subject.allSatisfy(Self.isSubjectByte) else {
            return .malformed("the subject must be 1 to \(Self.maxSubjectLength) letters, digits, '.', '_', '~' or '-'")
        }
        guard let expected = signature(of: token[token.startIndex..<subject.endIndex]),
              ConstantTime.equal(expected, mac.map(Self.lowercased))
        else { return .badSignature }
        let name = String(decoding: subject, as: UTF8.self)
        return expiry > now ? .valid(subject: name, expiry: expiry) : .expired(subject: name, expiry: expiry)
    }

    /// The subject of a well-formed, correctly signed token that has not expired at `now`.
    public func subject(of token: [UInt8], now: Int64) -> String? {
        guard case .valid(let subject, _) = verdict(on: token, now: now) else { return nil }
        return subject
    }

    /// A token for `subject` valid until `expiry`; nil for a subject tokens cannot carry,
    /// or if OpenSSL fails.
    public func mint(subject: String, expiry: Int64) -> String? {
        guard (1...Self.maxSubjectLength).contains(subject.utf8.count), subject.utf8.allSatisfy(Self.isSubjectByte), expiry >= 0,
              let mac = signature(of: Array("\(Self.version).\(expiry).\(subject)".utf8))
        else { return nil }
        return "\(Self.version).\(expiry).\(subject).\(String(decoding: mac, as: UTF8.self))"
    }

    /// The lowercase hex MAC of `payload`, nil if OpenSSL fails.
    public func signature(of payload: some Collection<UInt8>) -> [UInt8]? {
        var digest = [UInt8](repeating: 0, count: 32)
        let data = Array(payload)
        let status = secret.withUnsafeBytes { key in
            data.withUnsafeBufferPointer { bytes in
                digest.withUnsafeMutableBufferPointer { output in
                    clws_hmac_sha256(key.baseAddress, Int32(key.count), bytes.baseAddress, bytes.count, output.baseAddress)
                }
            }
        }
        guard status == 0 else { return nil }
        let hex = Array("0123456789abcdef".utf8)
        return digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] }
    }

    public static func isSubjectByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~") || byte == UInt8(ascii: "-")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}
