import BridgePluginKit

extension HMACToken {
    /// The signer for the secret in `hmac_secret_file`: a private file, its surrounding
    /// whitespace (such as the final newline) ignored, at least `minimumSecretLength` bytes.
    public init(secretFile path: String) throws {
        let secret = Array(Substring(decoding: try SecretFile.read(path, purpose: "HMAC secret file", requirePrivate: true),
                                     as: UTF8.self).trimmingWhitespace.utf8)
        guard secret.count >= Self.minimumSecretLength else {
            throw PluginError("the HMAC secret in \(path) is shorter than \(Self.minimumSecretLength) bytes")
        }
        self.init(secret: secret)
    }
}
