#!/usr/bin/env bash
# Builds the native transport (native/berth-transport.c) that Podman and CNI
# runtimes run per call (bin/podman/netavark, bin/cni/berth link to it), with
# the system C compiler: gcc, else tcc. Node's path is compiled in, for
# starting the Berth service when nothing serves its socket.
set -euo pipefail
cd "$(dirname "$0")/.."
cc="${CC:-}"
if [[ -z "$cc" ]]; then
  if command -v gcc >/dev/null; then cc=gcc; elif command -v tcc >/dev/null; then cc=tcc; else
    echo "build-native: no C compiler (gcc or tcc): bin/podman/netavark and bin/cni/berth need it; install gcc" >&2
    exit 1
  fi
fi
node_bin="$(command -v node)"
mkdir -p dist/native
"$cc" -O2 -Wall -Wextra -o dist/native/berth-transport.tmp -DBERTH_NODE="\"$node_bin\"" native/berth-transport.c
mv dist/native/berth-transport.tmp dist/native/berth-transport
