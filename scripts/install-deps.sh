#!/usr/bin/env bash
# Installs the system packages Berth needs on Debian 12 (as root), only when
# something is missing, then the npm dependencies pinned in package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
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

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# bin/podman/netavark and bin/cni/berth link to it
bash scripts/build-native.sh
