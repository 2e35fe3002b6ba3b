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


INSTALL_AND_RUN = r"""
set -eu
root="$OVERLAY/merged"
mount -t overlay overlay -o "lowerdir=/,upperdir=$OVERLAY/upper,workdir=$OVERLAY/work" "$root"
for fs in proc sys dev; do mount --rbind "/$fs" "$root/$fs"; done
mount -t tmpfs tmpfs "$root/run"          # the machine's /run stays out of it
exec chroot "$root" /bin/sh -eu -c '
    export PATH=/usr/sbin:/usr/bin:/sbin:/bin
    dpkg -i /package-test/unicat-bridge.deb
    getent passwd unicat-bridge
    test "$(stat -c %a:%U /etc/unicat-bridge/env)" = 600:root
    test "$(stat -c %a:%G /etc/unicat-bridge/config.yaml)" = 640:unicat-bridge
    # The service as systemd would start it: its directories, its user, its EnvironmentFile.
    install -d -m 0700 -o unicat-bridge -g unicat-bridge /var/lib/unicat-bridge
    install -d -m 0750 -o unicat-bridge -g unicat-bridge /run/unicat-bridge
    sed -i "s|url: https://unicat.app|url: $UNICAT_URL|; s|00000000-0000-4000-8000-000000000000|$UNICAT_PROJECT|" /etc/unicat-bridge/config.yaml
    printf "UNICAT_API_KEY=%s\n" "$SIMULATOR_KEY" > /etc/unicat-bridge/env
    command=$(sed -n "s/^ExecStart=//p" /lib/systemd/system/unicat-bridge.service)
    # setpriv execs (runuser would stay in between and take the SIGTERM meant for the bridge).
    setpriv --reuid=unicat-bridge --regid=unicat-bridge --init-groups -- env $(cat /etc/unicat-bridge/env) $command \
        2> /package-test/bridge.log &
    bridge=$!
    tries=0
    until unicat-bridge status --json > /package-test/status.json 2>/dev/null \
          && grep -q "\"state\":\"connected\"" /package-test/status.json; do
        tries=$((tries + 1)); [ $tries -lt 300 ] || { cat /package-test/bridge.log; exit 1; }
        kill -0 $bridge || { cat /package-test/bridge.log; exit 1; }
        sleep 0.2
    done
    echo SERVED
    kill -TERM $bridge
    status=0; wait $bridge || status=$?
    test $status -eq 0 || { echo "the bridge exited $status on SIGTERM"; cat /package-test/bridge.log; exit 1; }
    echo STOPPED
    dpkg --purge unicat-bridge
    test ! -e /usr/bin/unicat-bridge && test ! -e /usr/lib/unicat-bridge && test ! -e /etc/unicat-bridge
    test ! -e /var/lib/unicat-bridge && test ! -e /lib/systemd/system/unicat-bridge.service
    echo PURGED
'
"""


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root and unshare for a private mount")
def test_the_package_installs_serves_as_its_unit_says_and_purges_cleanly(package, tmp_path, simulator):
    """dpkg -i into an overlay of this machine's root (in a private mount namespace, so the
    machine itself is untouched), the service's ExecStart run as its user with its
    EnvironmentFile against the simulator (no systemd here to start it), then purge."""
    overlay = tmp_path / "overlay"
    for name in ("upper", "work", "merged"):
        (overlay / name).mkdir(parents=True)
    (overlay / "upper" / "package-test").mkdir()
    shutil.copy(package, overlay / "upper" / "package-test" / "unicat-bridge.deb")
    environment = dict(os.environ, OVERLAY=str(overlay), UNICAT_URL=simulator.url, UNICAT_PROJECT=simulator.project,
                       SIMULATOR_KEY=simulator.api_key)
    result = subprocess.run(["unshare", "--mount", "--fork", "bash", "-c", INSTALL_AND_RUN], capture_output=True, text=True,
                            env=environment, timeout=300)
    if result.returncode != 0 and "mount" in result.stderr and "permission denied" in result.stderr.lower():
        pytest.skip("mounting an overlay is not permitted here")
    assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
    steps = [line for line in result.stdout.splitlines() if line in ("SERVED", "STOPPED", "PURGED")]
    assert steps == ["SERVED", "STOPPED", "PURGED"], result.stdout[-2000:]
    log = (overlay / "upper" / "package-test" / "bridge.log").read_text()
    assert "transport unix started" in log and simulator.api_key not in log
