import Foundation

/// A throwaway certificate authority and a server certificate it signed, made with the
/// `openssl` CLI, for TLS tests (`--tls-cert/--tls-key` on the simulator, `caFile` on the
/// client). Make two sets to get a "wrong CA" for negative tests.
public struct TestCertificates: Sendable {
    /// PEM of the CA certificate: what a client should trust.
    public let caCertificate: URL
    /// PEM of the server certificate (valid for the given hosts, signed by the CA).
    public let serverCertificate: URL
    /// PEM of the server's private key (unencrypted).
    public let serverKey: URL

    public var caFile: String { caCertificate.path }
    public var certificateFile: String { serverCertificate.path }
    public var privateKeyFile: String { serverKey.path }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates `<name>-ca.pem`, `<name>-server.pem` and `<name>-server.key` in `directory`.
    /// `hosts` become subjectAltNames: IP addresses as IP entries, anything else as DNS.
    public init(directory: URL, name: String = "test", hosts: [String] = ["localhost", "127.0.0.1"]) throws {
        let caKey = directory.appendingPathComponent("\(name)-ca.key").path
        let caFile = directory.appendingPathComponent("\(name)-ca.pem")
        let serverKey = directory.appendingPathComponent("\(name)-server.key")
        let csr = directory.appendingPathComponent("\(name)-server.csr").path
        let serverCert = directory.appendingPathComponent("\(name)-server.pem")
        let extensions = directory.appendingPathComponent("\(name)-server.ext")

        let altNames = hosts.map { host in
            host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? "IP:\(host)" : "DNS:\(host)"
        }.joined(separator: ",")
        try """
        subjectAltName=\(altNames)
        basicConstraints=critical,CA:FALSE
        keyUsage=critical,digitalSignature,keyEncipherment
        extendedKeyUsage=serverAuth
        """.write(to: extensions, atomically: true, encoding: .utf8)

        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", caKey, "-out", caFile.path, "-days", "3",
                          "-subj", "/CN=unicat-bridge test CA \(name) \(UUID().uuidString.prefix(8))",
                          "-addext", "basicConstraints=critical,CA:TRUE",
                          "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", serverKey.path, "-out", csr, "-subj", "/CN=\(hosts.first ?? "localhost")"])
        try Self.openssl(["x509", "-req", "-in", csr, "-CA", caFile.path, "-CAkey", caKey,
                          "-set_serial", "0x\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16))",
                          "-days", "3", "-out", serverCert.path, "-extfile", extensions.path])
        caCertificate = caFile
        serverCertificate = serverCert
        self.serverKey = serverKey
    }

    /// Same, in a `TemporaryDirectory`.
    public static func make(in directory: TemporaryDirectory, name: String = "test",
                            hosts: [String] = ["localhost", "127.0.0.1"]) throws -> TestCertificates {
        try TestCertificates(directory: directory.url, name: name, hosts: hosts)
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.first ?? "") failed (\(process.terminationStatus)): "
                          + String(decoding: output, as: UTF8.self))
        }
    }
}
