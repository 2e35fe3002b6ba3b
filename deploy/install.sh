#!/usr/bin/env bash
# Builds unicat-bridge (release) and installs it as a systemd service with socket
# activation. Run as root from a checkout:
#   sudo deploy/install.sh [--prefix DIR] [--bin DIR] [--no-enable]
# --bin installs the products already built in DIR (e.g. .build/release) instead of building.
#
#   PREFIX/lib/unicat-bridge/   the binary, the transport plugins beside it (the bridge
#                               loads plugins from its own directory) and the Swift runtime
#   PREFIX/bin/unicat-bridge    a symlink to it
#   PREFIX/share/man/man1/      unicat-bridge.1, generated from the command definitions
#   /etc/unicat-bridge/         config.yaml (from config/unicat-bridge.production.yaml) and
#                               env (UNICAT_API_KEY=..., mode 0600); existing files are kept
#   /etc/systemd/system/        unicat-bridge.service and unicat-bridge.socket
# It creates the system user and group unicat-bridge, then enables both units; the
# service starts once env holds an API key.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
prefix=/usr/local
bin=""
enable=1
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --no-enable) enable=0; shift ;;
        *) echo "usage: deploy/install.sh [--prefix DIR] [--bin DIR] [--no-enable]" >&2; exit 64 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 77; }
libdir="$prefix/lib/unicat-bridge"
etc=/etc/unicat-bridge
units=/etc/systemd/system
say() { echo "== $*" >&2; }

if [ -z "$bin" ]; then
    say "building (release)"
    (cd "$repo" && swift build -c release)
    bin="$(cd "$repo" && swift build -c release --show-bin-path)"
fi

say "installing into $libdir"
install -d -m 0755 "$libdir" "$prefix/bin"
install -m 0755 "$bin/unicat-bridge" "$libdir/unicat-bridge"
for plugin in libStdioTransport.so libUnixSocketTransport.so libWebSocketTransport.so; do
    if [ -f "$bin/$plugin" ]; then install -m 0644 "$bin/$plugin" "$libdir/$plugin"; fi
done
# The Swift runtime the build linked against, beside the binary ($ORIGIN is in its
# RUNPATH): the service must not depend on a toolchain it may not see (ProtectHome=).
ldd "$libdir/unicat-bridge" "$libdir"/lib*Transport.so 2>/dev/null \
    | awk '$3 ~ /\/lib\/swift\/linux\// { print $3 }' | sort -u \
    | while read -r library; do install -m 0644 "$library" "$libdir/"; done
ln -sfn "$libdir/unicat-bridge" "$prefix/bin/unicat-bridge"

say "manual page in $prefix/share/man/man1"
configuration=release
case "$bin" in */debug|*/debug/) configuration=debug ;; esac
"$repo/scripts/man-page" "$prefix/share/man/man1/unicat-bridge.1" "$configuration"
chmod 0644 "$prefix/share/man/man1/unicat-bridge.1"

say "user and group unicat-bridge"
getent group unicat-bridge >/dev/null || groupadd --system unicat-bridge
getent passwd unicat-bridge >/dev/null \
    || useradd --system --gid unicat-bridge --home-dir /var/lib/unicat-bridge --no-create-home \
               --shell /usr/sbin/nologin --comment "unicat-bridge" unicat-bridge

say "configuration in $etc"
install -d -m 0750 -o root -g unicat-bridge "$etc"
if [ ! -e "$etc/config.yaml" ]; then
    install -m 0640 -o root -g unicat-bridge "$repo/config/unicat-bridge.production.yaml" "$etc/config.yaml"
fi
if [ ! -e "$etc/env" ]; then
    ( umask 077; printf '# The Unicat API key of the project (read by systemd only).\nUNICAT_API_KEY=\n' > "$etc/env" )
fi
chown root:root "$etc/env"
chmod 0600 "$etc/env"

say "systemd units in $units"
for unit in unicat-bridge.service unicat-bridge.socket; do
    sed "s|/usr/local/bin/unicat-bridge|$prefix/bin/unicat-bridge|g" "$repo/deploy/$unit" > "$units/$unit"
    chmod 0644 "$units/$unit"
done
if command -v systemd-analyze >/dev/null; then systemd-analyze verify "$units/unicat-bridge.socket" "$units/unicat-bridge.service"; fi

if [ "$enable" -eq 1 ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable --now unicat-bridge.socket
    systemctl enable unicat-bridge.service
    if grep -Eq '^UNICAT_API_KEY=.+' "$etc/env" && ! grep -q '00000000-0000-4000-8000-000000000000' "$etc/config.yaml"; then
        systemctl restart unicat-bridge.service
        say "started: unicat-bridge status"
    else
        say "next: set upstream.project in $etc/config.yaml and UNICAT_API_KEY in $etc/env, then: systemctl start unicat-bridge"
    fi
else
    say "units installed but not enabled (systemd is not running here, or --no-enable)"
fi
say "local users who may use the CLI: usermod -aG unicat-bridge USER (then log in again)"
