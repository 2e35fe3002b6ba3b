import BridgePluginKit

/// The `tls` section: serve wss:// with this certificate chain and key (PEM). With
/// `client_ca_file`, clients must also present a certificate signed by that CA.
struct TLSConfiguration: Decodable, Sendable {
    var certificateFile: String
    var keyFile: String
    var clientCAFile: String?

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: ConfigurationKey.self) else {
            throw PluginError("configuration key \"tls\" must be an object with cert_file and key_file")
        }
        try container.rejectUnknownKeys(allowed: ["cert_file", "key_file", "client_ca_file"])
        guard let certificate = try container.string("cert_file"), let key = try container.string("key_file") else {
            throw PluginError("tls needs both cert_file and key_file")
        }
        certificateFile = certificate
        keyFile = key
        clientCAFile = try container.string("client_ca_file")
        for path in [certificateFile, keyFile] + (clientCAFile.map { [$0] } ?? []) {
            _ = try SecretFile.read(path, purpose: "TLS file", requirePrivate: path == keyFile)
        }
    }
}
