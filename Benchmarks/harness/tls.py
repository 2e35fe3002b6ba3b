"""A throwaway self-signed certificate for wss:// (IP SAN 127.0.0.1), made with openssl."""
import os
import ssl
import subprocess


class Certificate:
    def __init__(self, workdir):
        self.cert = os.path.join(workdir, "bench-cert.pem")
        self.key = os.path.join(workdir, "bench-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", self.key, "-out", self.cert],
                       check=True, capture_output=True)
        os.chmod(self.key, 0o600)

    def client_context(self):
        return ssl.create_default_context(cafile=self.cert)
