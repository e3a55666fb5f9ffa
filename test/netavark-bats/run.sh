#!/usr/bin/env bash
# netavark's own behaviour tests (its test/*.bats at v1.4.0) against Berth's
# netavark (bin/podman/netavark): `npm run test:netavark` (as root).
#
# netavark's files are never in this repo: they are checked out at run time
# from a git copy of the containers/netavark repository (NETAVARK_GIT, a git
# directory; default: the snapshot under /work/.mirror) into a temp dir. This
# kernel has no dummy links, so `ip link add NAME type dummy` becomes a
# bridge (an empty bridge that is up carries addresses and routes the same
# way). Each test gets its own BERTH_ROOT inside the test's temp dir. The
# firewalld tests start dbus-daemon and firewalld by name: firewalld is the
# copy scripts/install-deps.sh --test unpacks under /var/cache/berth-test
# (never installed on the machine), first on PATH; it runs inside the
# throwaway namespace, on the test's own bus.
#
# Everything runs in a throwaway namespace (unshare --net --mount --pid, a
# tmpfs on /run), as npm test does. The TAP output goes to
# $NETAVARK_BATS_OUT (default: a temp file) and the last line is
# "N passed, N failed" (skipped tests are counted apart).
#
#   NETAVARK_BATS_FILES="001-basic.bats 300-macvlan.bats" to run some files
#   NETAVARK_BATS_FILTER=REGEX to run the tests whose names match
#   NETAVARK_BIN=/usr/lib/podman/netavark to run them against another backend
#   (Debian's netavark: the reference, for telling a flaky test from a Berth bug)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "test:netavark creates namespaces, bridges and firewall rules: run it as root" >&2
  exit 1
fi
tag=${NETAVARK_TAG:-v1.4.0}
git_dir=${NETAVARK_GIT:-/work/.mirror/containers+netavark/repo}
if ! git --git-dir="$git_dir" rev-parse --verify -q "$tag^{commit}" >/dev/null; then
  echo "no netavark $tag in $git_dir: set NETAVARK_GIT to a git directory of containers/netavark that has the tag" >&2
  exit 1
fi

# what netavark's tests call: bats, jq, ncat (Debian packages)
need=()
command -v bats >/dev/null || need+=(bats)
command -v jq >/dev/null || need+=(jq)
command -v ncat >/dev/null || need+=(ncat)
if [ "${#need[@]}" -gt 0 ]; then
  echo "test:netavark: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# the firewalld tests (200-bridge-firewalld.bats) start dbus-daemon and firewalld by name: firewalld is
# the copy install-deps.sh --test unpacks (never installed on the machine), put first on PATH
firewalld_dir=${BERTH_TEST_FIREWALLD_DIR:-/var/cache/berth-test/firewalld}
if [ ! -x "$firewalld_dir/bin/firewalld" ] || [ ! -x "$firewalld_dir/bin/firewall-cmd" ] || ! command -v dbus-daemon >/dev/null; then
  echo "test:netavark: unpacking firewalld (scripts/install-deps.sh --test)" >&2
  bash "$repo/scripts/install-deps.sh" --test >&2
fi
[ -x "$repo/dist/src/interop/podman-netavark.cjs" ] || [ -e "$repo/dist/src/interop/podman/main.js" ] || { echo "build first: npm run build" >&2; exit 1; }

work=$(mktemp -d /tmp/berth-netavark-bats.XXXXXX)
trap 'rm -rf "$work"' EXIT
git --git-dir="$git_dir" archive "$tag" test | tar -x -C "$work"
tests="$work/test"
# no dummy module on this kernel: bridges instead
grep -rl 'type dummy' "$tests" | xargs -r sed -i 's/type dummy/type bridge/g'
# each test's own Berth state, under the test's temp dir (removed by its teardown)
sed -i 's|^\(\s*\)NETAVARK_TMPDIR=\$(mktemp.*)$|&\n\1export BERTH_ROOT=$NETAVARK_TMPDIR/berth|' "$tests/helpers.bash"
grep -q 'export BERTH_ROOT' "$tests/helpers.bash" || { echo "could not give each test its BERTH_ROOT (helpers.bash changed?)" >&2; exit 1; }

files=()
for f in ${NETAVARK_BATS_FILES:-001-basic.bats 100-bridge-iptables.bats 200-bridge-firewalld.bats 300-macvlan.bats}; do files+=("$tests/$f"); done
filter=()
[ -n "${NETAVARK_BATS_FILTER:-}" ] && filter=(--filter "$NETAVARK_BATS_FILTER")
out=${NETAVARK_BATS_OUT:-$work/../berth-netavark-bats.tap}

set +e
unshare --net --mount --pid --fork --mount-proc --propagation private -- bash -c '
  mount -t tmpfs -o mode=755 tmpfs /run && ip link set lo up &&
  PATH="$1/bin:$PATH" NETAVARK="$0" bats --tap "${@:2}"' "${NETAVARK_BIN:-$repo/bin/podman/netavark}" "$firewalld_dir" "${filter[@]}" "${files[@]}" >"$out" 2>&1
set -e
passed=$(grep -Ec '^ok [0-9]+ ' "$out" | tr -d ' ' || true)
skipped=$(grep -Ec '^ok [0-9]+ .*# skip' "$out" || true)
failed=$(grep -Ec '^not ok [0-9]+ ' "$out" || true)
grep -E '^not ok [0-9]+ ' "$out" | sed 's/^/  /' || true
echo "TAP output: $out"
echo "skipped: $skipped"
echo "$((passed - skipped)) passed, $failed failed"
[ "$failed" -eq 0 ]
