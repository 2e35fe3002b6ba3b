"""`deploy/build-deb` makes a Debian package of the built products: its contents and
maintainer scripts are as documented, lintian finds no error in it, and the binary it
carries runs from the package's own files (its plugins and Swift runtime, not the
toolchain's) and serves, with the bundled configuration's example, against the simulator."""
import os
import shutil
import subprocess

import pytest

from bridgetest import REPO, products_dir


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    output = tmp_path_factory.mktemp("deb")
    built = subprocess.run([os.path.join(REPO, "deploy", "build-deb"), "--bin", products_dir(), "--output", str(output), "--fast"],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    path = built.stdout.strip().splitlines()[-1]
    assert path.startswith(str(output)) and path.endswith(".deb")
    return path


def contents(package):
    listing = subprocess.run(["dpkg-deb", "--contents", package], capture_output=True, text=True, check=True).stdout
    entries = {}
    for line in listing.splitlines():
        fields = line.split()
        name = fields[5].lstrip(".")
        entries[name.rstrip("/") or "/"] = (fields[0], fields[1], " ".join(fields[5:]))
    return entries


def test_the_package_holds_what_an_operator_needs(package):
    entries = contents(package)
    expected = {
        "/usr/lib/unicat-bridge/unicat-bridge": "-rwxr-xr-x",
        "/usr/lib/unicat-bridge/libWebSocketTransport.so": "-rw-r--r--",
        "/usr/lib/unicat-bridge/libUnixSocketTransport.so": "-rw-r--r--",
        "/usr/lib/unicat-bridge/libStdioTransport.so": "-rw-r--r--",
        "/usr/lib/unicat-bridge/libswiftCore.so": "-rw-r--r--",
        "/lib/systemd/system/unicat-bridge.service": "-rw-r--r--",
        "/lib/systemd/system/unicat-bridge.socket": "-rw-r--r--",
        "/usr/share/man/man1/unicat-bridge.1.gz": "-rw-r--r--",
        "/etc/unicat-bridge/config.yaml": "-rw-r-----",
        "/usr/share/doc/unicat-bridge/examples/config.yaml": "-rw-r--r--",
        "/usr/share/doc/unicat-bridge/copyright": "-rw-r--r--",
    }
    for path, mode in expected.items():
        assert path in entries, path
        assert entries[path][0] == mode, (path, entries[path])
        assert entries[path][1] == "root/root", (path, entries[path])
    assert entries["/usr/bin/unicat-bridge"][2].endswith("-> ../lib/unicat-bridge/unicat-bridge")
    assert not any(name.startswith("/etc/unicat-bridge/env") for name in entries), "the key file is made on the machine"
    control = subprocess.run(["dpkg-deb", "--field", package], capture_output=True, text=True, check=True).stdout
    assert "Package: unicat-bridge" in control
    for dependency in ["libwebsockets17", "libcurl4", "libsqlite3-0", "libssl3", "adduser"]:
        assert dependency in control, control


def test_the_maintainer_scripts_make_the_user_the_key_file_and_enable_the_units(package, tmp_path):
    subprocess.run(["dpkg-deb", "--control", package, str(tmp_path)], check=True)
    postinst = (tmp_path / "postinst").read_text()
    assert "adduser --system" in postinst and "--ingroup unicat-bridge" in postinst
    assert "umask 077" in postinst and "/etc/unicat-bridge/env" in postinst
    assert "deb-systemd-helper enable unicat-bridge.socket unicat-bridge.service" in postinst
    assert (tmp_path / "conffiles").read_text().split() == ["/etc/unicat-bridge/config.yaml"]
    for script in ["postinst", "prerm", "postrm"]:
        assert os.stat(tmp_path / script).st_mode & 0o777 == 0o755
        subprocess.run(["sh", "-n", str(tmp_path / script)], check=True)


def test_the_units_run_the_packaged_binary(package, tmp_path):
    subprocess.run(["dpkg-deb", "--extract", package, str(tmp_path)], check=True)
    service = (tmp_path / "lib/systemd/system/unicat-bridge.service").read_text()
    assert "ExecStart=/usr/bin/unicat-bridge run --config /etc/unicat-bridge/config.yaml" in service
    if shutil.which("systemd-analyze"):
        units = [str(tmp_path / "lib/systemd/system" / unit) for unit in ("unicat-bridge.socket", "unicat-bridge.service")]
        verified = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
        # Only the binary's path is unknown here (it is not installed).
        problems = [line for line in verified.stderr.splitlines() if "/usr/bin/unicat-bridge" not in line and line.strip()]
        assert not problems, verified.stderr


def test_the_packaged_binary_runs_from_its_own_files(package, tmp_path, simulator):
    subprocess.run(["dpkg-deb", "--extract", package, str(tmp_path)], check=True)
    libdir = tmp_path / "usr/lib/unicat-bridge"
    binary = str(libdir / "unicat-bridge")
    runpath = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True).stdout
    assert "/opt/swift" not in runpath and "$ORIGIN" in runpath
    loaded = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    assert f"libswiftCore.so => {libdir}/libswiftCore.so" in loaded, loaded
    environment = {"PATH": "/usr/bin:/bin", "UNICAT_URL": simulator.url, "UNICAT_PROJECT": simulator.project,
                   "UNICAT_API_KEY": simulator.api_key, "UNICAT_BRIDGE_STATE_DIR": str(tmp_path / "state")}
    manual = subprocess.run(["man", "-l", "-P", "cat", str(tmp_path / "usr/share/man/man1/unicat-bridge.1.gz")],
                            capture_output=True, text=True, env=dict(environment, MANWIDTH="100")) if shutil.which("man") else None
    if manual is not None:
        assert "check-config" in manual.stdout and "token" in manual.stdout
    checked = subprocess.run([binary, "check-config", "--websocket", "127.0.0.1:0", "--unix", str(tmp_path / "bridge.sock")],
                             capture_output=True, text=True, env=environment, timeout=60)
    assert checked.returncode == 0, checked.stderr
    served = subprocess.run([binary, "run", "--stdio"], input='{"jsonrpc":"2.0","id":1,"method":"initialize"}\n',
                            capture_output=True, text=True, env=environment, timeout=120)
    assert served.returncode == 0, served.stderr[-2000:]
    assert '"name":"unicat-bridge"' in served.stdout.replace(" ", "")


@pytest.mark.skipif(shutil.which("lintian") is None, reason="lintian is not installed (scripts/install-deps installs it)")
def test_lintian_finds_no_error(package):
    checked = subprocess.run(["lintian", "--tag-display-limit", "0", package], capture_output=True, text=True, timeout=600)
    errors = [line for line in checked.stdout.splitlines() if line.startswith("E:")]
    assert not errors, checked.stdout
