#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs the loopback test of test-network inside a new network namespace
# that has only the loopback interface, so the machine has no default
# route. The client must still reach 127.0.0.1 with watch-network on,
# because it queries the network monitor about the endpoint's own address.
#
# Usage: no-default-route.sh TEST-NETWORK-PROGRAM
# Exit status 77 tells meson the test was skipped; the reason is printed.
set -euo pipefail

program="$1"
namespace="rws-test-$$"

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: creating a network namespace needs root; run the tests as root" >&2
  exit 77
fi

if ! command -v ip >/dev/null 2>&1; then
  echo "FAIL: the ip command (Debian package iproute2) is missing; run tools/bootstrap" >&2
  exit 1
fi

if ! ip netns add "$namespace" 2>/tmp/rws-netns-error.$$; then
  echo "SKIP: ip netns add failed, so this machine does not allow network namespaces: $(cat /tmp/rws-netns-error.$$)" >&2
  rm -f /tmp/rws-netns-error.$$
  exit 77
fi
rm -f /tmp/rws-netns-error.$$
trap 'ip netns delete "$namespace"' EXIT

ip netns exec "$namespace" ip link set lo up

if ip netns exec "$namespace" ip route show default | grep -q .; then
  echo "FAIL: the new namespace has a default route" >&2
  exit 1
fi

ip netns exec "$namespace" "$program" -p /network/system-monitor-loopback
