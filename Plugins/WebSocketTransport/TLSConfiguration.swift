import BridgePluginKit
import WebSocketCredentials

/// The `tls` section: serve wss:// with this certificate chain and key (PEM). With
/// `client_ca_file`, clients must also present a certificate signed by that CA.
struct TLSConfiguration: Decodable, Sendable {
    var certificateFile: String
    var keyFile: String
    var clientCAFile: String?

    init(from decoder: any Decoder) throws {
        guard let container = try? decoder.container(keyedBy: ConfigurationKey.self) else {
            throw PluginError(key: "tls", "configuration key \"tls\" must be an object with cert_file and key_file")
        }
        var check = ConfigurationCheck()
        check.run { try container.rejectUnknownKeys(allowed: ["cert_file", "key_file", "client_ca_file"]) }
        let certificate = check.read(nil) { try container.string("cert_file") }
        let key = check.read(nil) { try container.string("key_file") }
        clientCAFile = check.read(nil) { try container.string("client_ca_file") }
        if certificate == nil || key == nil {
            check.note(PluginError(key: "tls", "tls needs both cert_file and key_file"))
        }
        certificateFile = certificate ?? ""
        keyFile = key ?? ""
        let files = [("cert_file", certificate), ("key_file", key), ("client_ca_file", clientCAFile)]
        for case let (name, path?) in files {
            check.read((), key: container.keyPath(name)) {
                _ = try SecretFile.read(path, purpose: "TLS file", requirePrivate: name == "key_file")
            }
        }
        try check.finish()
    }
}
