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
# --test: what only the test suite uses (the iptables FORWARD-policy detection
# test, headless Chromium that photographs the topology picture, and Podman
# with Debian's netavark for the Podman backend test and bench)
if [ "${1:-}" = "--test" ]; then
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
fi

if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "berth: missing system packages: ${need[*]}; run this as root or: apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "berth: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
