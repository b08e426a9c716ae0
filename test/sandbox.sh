#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run a command inside a throw-away sandbox: new user, network and mount
# namespaces, with an uplink made of a veth pair addressed from documentation
# ranges, default routes, a private /etc/resolv.conf, /tmp and /run/netns.
# No packet can leave it. Usage: test/sandbox.sh COMMAND [ARG]...
#
# Environment: SANDBOX_SETUP=none skips the uplink (no routes at all);
# SANDBOX_RESOLV=text replaces the resolv.conf contents; SANDBOX_USERS=map
# (test/run.sh sets it for tests marked "# sandbox: map-users") maps user
# and group IDs 0 to 65535 instead of root alone, so that the command can
# switch to other users (setpriv --reuid=65534 ...). That needs real root
# and newuidmap: otherwise the sandbox is the usual one and the command
# finds the reason in SANDBOX_USERS_SKIP.

# sandbox_users_unavailable() - Print why IDs can't be mapped, if they can't
sandbox_users_unavailable() {
	if [ "$(id -u)" -ne 0 ] ||
	   ! grep -qE '^ +0 +0 +4294967295$' /proc/self/uid_map; then
		echo "mapping a range of IDs needs real root"
	elif ! command -v newuidmap >/dev/null 2>&1 ||
	     ! command -v newgidmap >/dev/null 2>&1; then
		echo "newuidmap/newgidmap missing (package uidmap)"
	elif [ ! -f /etc/subuid ] || [ ! -f /etc/subgid ]; then
		echo "no /etc/subuid or /etc/subgid to mount over"
	fi
}

if [ -z "${SANDBOX_INNER:-}" ] && [ "${SANDBOX_USERS:-}" = map ]; then
	SANDBOX_USERS_SKIP=$(sandbox_users_unavailable)
	export SANDBOX_USERS_SKIP
	if [ -z "$SANDBOX_USERS_SKIP" ]; then
		# newuidmap only maps what /etc/subuid grants, root included:
		# grant root the range in a private copy, seen only by us
		export SANDBOX_INNER=ids
		exec unshare --mount --propagation private -- "$0" "$@"
	fi
fi

if [ "${SANDBOX_INNER:-}" = ids ]; then
	ids=$(mktemp) || exit 1
	echo "root:0:65536" > "$ids"
	mount --bind "$ids" /etc/subuid && mount --bind "$ids" /etc/subgid ||
		exit 1
	rm -f "$ids"
	export SANDBOX_INNER=1
	exec unshare --user --map-users=0,0,65536 --map-groups=0,0,65536 \
		--net --mount --fork -- "$0" "$@"
fi

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

# The private /tmp and /run below would hide a checkout (or a working
# directory) living under them, as in a clone made in /tmp: hold both open
# across the mounts, then bind them back at the same paths. Only those two
# directories come back, everything else under /tmp and /run stays private.
top=$(cd "$(dirname "$0")/.." && pwd -P)
here=$(pwd -P)
exec 8<"$top" 9<"$here"

mount -t tmpfs -o mode=1777 sandbox-tmp /tmp
mkdir -p /tmp/.sandbox /run 2>/dev/null || true
mount -t tmpfs sandbox-run /run 2>/dev/null && mkdir -p /run/netns || true

# sandbox_rebind DIR FD: bind the directory open at FD back over DIR, if the
# new tmpfs mounts hid it (--no-canonicalize: the kernel, not mount(8),
# follows /proc/self/fd/FD to the hidden directory)
sandbox_rebind() {
	case $1 in
	/tmp/*|/run/*) ;;
	*) return 0 ;;
	esac
	mkdir -p "$1" && mount --no-canonicalize --bind "/proc/self/fd/$2" "$1"
}
sandbox_rebind "$top" 8
case $here in
"$top"|"$top"/*) ;;
*) sandbox_rebind "$here" 9 ;;
esac
exec 8<&- 9<&-
cd "$here"
printf '%b' "${SANDBOX_RESOLV:-nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.org test.example\n}" \
	> /tmp/.sandbox/resolv.conf
mount --bind /tmp/.sandbox/resolv.conf /etc/resolv.conf
set +e

exec "$@"
