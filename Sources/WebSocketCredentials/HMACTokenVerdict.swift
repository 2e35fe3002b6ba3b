/// What checking an HMAC token found. Never carries the token's signature or the secret.
public enum HMACTokenVerdict: Equatable, Sendable {
    case valid(subject: String, expiry: Int64)
    /// Not a token of this format at all; the text says which part is wrong.
    case malformed(String)
    /// Well formed, but not signed with this secret (or altered since).
    case badSignature
    /// Correctly signed, but its expiry has passed.
    case expired(subject: String, expiry: Int64)
}
