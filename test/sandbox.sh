#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run a command inside a throw-away sandbox: new user, network and mount
# namespaces, with an uplink made of a veth pair addressed from documentation
# ranges, default routes, a private /etc/resolv.conf, /tmp and /run/netns.
# No packet can leave it. Usage: test/sandbox.sh COMMAND [ARG]...
#
# Environment: SANDBOX_SETUP=none skips the uplink (no routes at all);
# SANDBOX_RESOLV=text replaces the resolv.conf contents.

if [ "${SANDBOX_INNER:-}" != 1 ]; then
	export SANDBOX_INNER=1
	exec unshare --user --map-root-user --net --mount --fork -- "$0" "$@"
fi
unset SANDBOX_INNER

set -e
ip link set lo up
echo "0 0" > /proc/sys/net/ipv4/ping_group_range

if [ "${SANDBOX_SETUP:-}" != none ]; then
	ip link add uplink type veth peer name uplink-peer
	ip link set uplink up
	ip link set uplink-peer up
	ip addr add 192.0.2.2/24 dev uplink
	ip -6 addr add 2001:db8::2/64 dev uplink nodad
	ip route add default via 192.0.2.1 dev uplink
	ip -6 route add default via 2001:db8::1 dev uplink
fi

mount -t tmpfs -o mode=1777 sandbox-tmp /tmp
mkdir -p /tmp/.sandbox /run 2>/dev/null || true
mount -t tmpfs sandbox-run /run 2>/dev/null && mkdir -p /run/netns || true
printf '%b' "${SANDBOX_RESOLV:-nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.org test.example\n}" \
	> /tmp/.sandbox/resolv.conf
mount --bind /tmp/.sandbox/resolv.conf /etc/resolv.conf
set +e

exec "$@"
