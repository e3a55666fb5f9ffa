#!/usr/bin/env bash
# The README's first command: install what Berth needs, build it, and walk
# through the container-networking tutorial on this host with real kernel
# objects, then clean up. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "berth walkthrough needs root (it creates namespaces, bridges and nftables rules): run it as root (or with sudo)" >&2
  exit 1
fi
bash scripts/install-deps.sh
npm run build
exec bin/berth walkthrough
