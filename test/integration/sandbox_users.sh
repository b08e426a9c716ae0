#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The sandbox with a range of users: a test marked as below runs in a
# sandbox whose user namespace maps IDs 0 to 65535, not root alone, so it
# can run passt or pasta as a real unprivileged user (here nobody, 65534)
# rather than as root. Checks that setpriv switches to that user, that the
# user has no capability left, and that it can still make its own user and
# network namespaces (what pasta does to spawn a command).
# sandbox: map-users

source "$(dirname "$0")/../lib.sh"

if [ -n "${SANDBOX_USERS_SKIP:-}" ]; then
	skip sandbox_users "$SANDBOX_USERS_SKIP"
	exit 0
fi

# as_nobody COMMAND...: run as nobody, no supplementary groups
as_nobody() {
	timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

map=$(awk '{ print $1, $2, $3 }' /proc/self/uid_map)
check sandbox_users_map test "$map" = "0 0 65536"

out=$(as_nobody sh -c 'id -u; id -g; id -G; grep ^CapEff: /proc/self/status' \
	2>&1)
if [ "$(sed -n 1p <<< "$out")" = 65534 ] &&
   [ "$(sed -n 2p <<< "$out")" = 65534 ] &&
   [ "$(sed -n 3p <<< "$out")" = 65534 ] &&
   grep -qE '^CapEff:\s+0+$' <<< "$out"; then
	pass sandbox_users_setpriv
else
	fail sandbox_users_setpriv "as nobody: $out"
fi

# Unprivileged, nobody can't touch the sandbox's network...
if as_nobody ip link add su0 type veth peer name su1 2>/dev/null; then
	fail sandbox_users_unprivileged "nobody created a link in the sandbox"
	ip link del su0 2>/dev/null
else
	pass sandbox_users_unprivileged
fi

# ...but can make its own user and network namespaces, and be root there
out=$(as_nobody unshare -rn sh -c 'id -u; ip link set lo up &&
	ip -o link show lo' 2>&1)
if [ "$(sed -n 1p <<< "$out")" = 0 ] && grep -q 'lo:.*UP' <<< "$out"; then
	pass sandbox_users_unshare
else
	fail sandbox_users_unshare "unshare -rn as nobody: $out"
fi
