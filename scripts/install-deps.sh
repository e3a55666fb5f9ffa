#!/usr/bin/env bash
# Installs the system packages Berth needs on Debian 12 (as root), only when
# something is missing, then the npm dependencies pinned in package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# where the tests' firewalld lives (see below): unpacked, never installed
FIREWALLD_DIR=${BERTH_TEST_FIREWALLD_DIR:-/var/cache/berth-test/firewalld}
command -v ip >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
[ -e /usr/lib/x86_64-linux-gnu/libnftables.so.1 ] || ls /usr/lib/*/libnftables.so.1 >/dev/null 2>&1 || need+=(libnftables1)
command -v runc >/dev/null || need+=(runc)
command -v conmon >/dev/null || need+=(conmon)
command -v ping >/dev/null || need+=(iputils-ping)
command -v busybox >/dev/null || need+=(busybox-static)
command -v curl >/dev/null || need+=(curl)
command -v unshare >/dev/null || need+=(util-linux)
command -v nsenter >/dev/null || need+=(util-linux)
# the native transport Podman and CNI runtimes run per call (native/berth-transport.c)
command -v gcc >/dev/null || command -v tcc >/dev/null || need+=(gcc)
# --test: what only the test suite uses (the iptables FORWARD-policy detection
# test, headless Chromium that photographs the topology picture, and Podman
# with Debian's netavark for the Podman backend test and bench)
# --bench: what the test suite uses, and the load tools of the benches (iperf3, dnsperf)
if [ "${1:-}" = "--bench" ]; then
  command -v iperf3 >/dev/null || need+=(iperf3)
  command -v dnsperf >/dev/null || need+=(dnsperf)
fi
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
  command -v iptables-legacy >/dev/null && command -v iptables-nft >/dev/null || need+=(iptables)
  command -v chromium >/dev/null || need+=(chromium)
  command -v podman >/dev/null || need+=(podman)
  [ -x /usr/lib/podman/netavark ] || need+=(netavark)
  # Podman builds its pod infra ("pause") image from catatonit
  command -v catatonit >/dev/null || need+=(catatonit)
  # the Podman differential test runs Debian's netavark with its resolver
  [ -x /usr/lib/podman/aardvark-dns ] || need+=(aardvark-dns)
  # the CNI plugin's tests: containerd's ctr as the runtime, the reference plugins to chain with
  command -v ctr >/dev/null && command -v containerd >/dev/null || need+=(containerd)
  [ -x /usr/lib/cni/tuning ] || need+=(containernetworking-plugins)
  # the Berth service's socket-activation test (systemd's own activator, no systemd running)
  command -v systemd-socket-activate >/dev/null || need+=(systemd)
  # the Docker driver's tests: Debian's dockerd runs inside the test sandbox only (see below)
  [ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || docker_needed=1
  # firewalld's tests (ours and netavark's bats): what firewalld runs on (none of these starts a
  # service); firewalld itself is unpacked privately below, never installed
  command -v dbus-daemon >/dev/null || need+=(dbus-daemon)
  command -v dbus-send >/dev/null || need+=(dbus-bin)
  /usr/bin/python3 -c 'import dbus' >/dev/null 2>&1 || need+=(python3-dbus)
  /usr/bin/python3 -c 'import nftables' >/dev/null 2>&1 || need+=(python3-nftables)
  /usr/bin/python3 -c 'from gi.repository import GObject' >/dev/null 2>&1 || need+=(python3-gi gir1.2-glib-2.0)
  [ -x "$FIREWALLD_DIR/bin/firewalld" ] && [ -x "$FIREWALLD_DIR/bin/firewall-cmd" ] || firewalld_needed=1
fi

if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "berth: missing system packages: ${need[*]}; run this as root or: apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "berth: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # wait for another apt run (unattended-upgrades on a fresh machine) instead of failing at once
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# docker.io's postinst would start docker.service, a dockerd on the machine's
# own network (docker0, iptables rules). The tests start their own dockerd in
# the sandbox, so the package is installed with service starts refused
# (policy-rc.d exit 101, only if the machine has no policy of its own) and the
# units are disabled afterwards.
if [ -n "${docker_needed:-}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "berth: the Docker tests need docker.io; run this as root or: apt-get install docker.io" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker.io >/dev/null || { [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d; exit 1; }
  [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
  if [ -d /run/systemd/system ]; then
    systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
  fi
fi

# firewalld for the tests, without firewalld on the machine: Debian's package would start and
# enable firewalld.service host-wide on install (taking over the machine's firewall). Its two
# packages (firewalld, python3-firewall; pure Python) are downloaded and unpacked into
# $FIREWALLD_DIR instead, with bin/firewalld and bin/firewall-cmd wrappers that run them from
# there (--default-config from the unpacked tree, logs to the console, not /var/log). Nothing
# is registered with dpkg or systemd; tests start it inside their sandbox on a D-Bus daemon of
# their own (test/firewalld.ts, test/netavark-bats/run.sh). `rm -rf $FIREWALLD_DIR` removes it.
if [ -n "${firewalld_needed:-}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "berth: the firewalld tests need firewalld unpacked under $FIREWALLD_DIR; run this as root" >&2
    exit 1
  fi
  debs=$(mktemp -d)
  chmod 755 "$debs"
  if ! (cd "$debs" && apt-get download firewalld python3-firewall >/dev/null 2>&1); then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    (cd "$debs" && apt-get download firewalld python3-firewall >/dev/null)
  fi
  rm -rf "$FIREWALLD_DIR.new"
  mkdir -p "$FIREWALLD_DIR.new/bin"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$FIREWALLD_DIR.new"; done
  rm -rf "$debs"
  wrapper() { # NAME PROGRAM [ARGS...]: a script that runs the unpacked PROGRAM with its Python modules
    {
      echo '#!/bin/sh'
      echo "# $1 from Debian's package, unpacked here by Berth's scripts/install-deps.sh (not installed)"
      echo 'root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)'
      echo "PYTHONPATH=\"\$root/usr/lib/python3/dist-packages\${PYTHONPATH:+:\$PYTHONPATH}\" exec /usr/bin/python3 \"\$root/$2\"${3:+ $3} \"\$@\""
    } >"$FIREWALLD_DIR.new/bin/$1"
    chmod 755 "$FIREWALLD_DIR.new/bin/$1"
  }
  wrapper firewalld usr/sbin/firewalld '--default-config "$root/usr/lib/firewalld" --log-target console'
  wrapper firewall-cmd usr/bin/firewall-cmd
  rm -rf "$FIREWALLD_DIR"
  mv "$FIREWALLD_DIR.new" "$FIREWALLD_DIR"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# bin/podman/netavark and bin/cni/berth link to it
bash scripts/build-native.sh
