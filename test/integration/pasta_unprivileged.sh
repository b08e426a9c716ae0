#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta started by an unprivileged user: it creates its own user and network
# namespace, maps itself to root there and configures the tap device, with
# no capability in the namespace it started in. The harness runs as root in
# a user namespace mapping root alone, so the unprivileged user here is a
# nested user namespace where we are UID/GID 1000 (mapped to the sandbox's
# root, whose group ping_group_range includes) with an empty capability
# set: what a regular login user has on a host. All other pasta tests cover
# being started as root.
# In local mode (a new, empty network namespace: no host interface), the
# namespace gets 169.254.2.1/16, a default route via 169.254.2.2 and an
# IPv6 one via fe80::1 on interface tap0, as described by the manual.

source "$(dirname "$0")/../lib.sh"

trap 'rm -rf "$WORK"' EXIT

# as_user [--net] COMMAND...: run as UID/GID 1000 in a nested user namespace
as_user() {
	local net=

	[ "$1" = --net ] && net=--net && shift
	timeout 20 unshare --user $net --map-user=1000 --map-group=1000 -- "$@"
}

# Make sure the user really is unprivileged here
out=$(as_user sh -c 'id -u; grep ^CapEff: /proc/self/status;
	ip link add pu0 type veth peer name pu1 && echo ADDED' 2>&1)
if grep -qx 1000 <<< "$out" && grep -qE '^CapEff:\s+0+$' <<< "$out" &&
   ! grep -q ADDED <<< "$out"; then
	pass unprivileged_user_has_no_capabilities
else
	fail unprivileged_user_has_no_capabilities "$(echo "$out" | tr '\n' ';')"
fi

out=$(as_user "$PASTA" -q -f --config-net -- sh -c 'id -u;
	ip -o addr show dev uplink; ip route show; ping -c1 -W2 192.0.2.1' 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && [ "$(head -n 1 <<< "$out")" = 0 ] &&
   grep -q ' inet 192\.0\.2\.2/24 ' <<< "$out" &&
   grep -q '^default via 192\.0\.2\.1 dev uplink' <<< "$out"; then
	pass unprivileged_config_net
else
	fail unprivileged_config_net "status $rc: $(echo "$out" | tr '\n' ';')"
fi
if grep -q ' 1 received' <<< "$out"; then
	pass unprivileged_ping_gateway
else
	fail unprivileged_ping_gateway "$(echo "$out" | tail -n 3 | tr '\n' ';')"
fi

out=$(as_user --net "$PASTA" -q -f --config-net -- sh -c 'ip -o link show;
	ip -o addr show; ip route show; ip -6 route show' 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -qE '^[0-9]+: tap0: <[^>]*\bUP\b' <<< "$out" &&
   grep -q '^[0-9]*: tap0 *inet 169\.254\.2\.1/16 ' <<< "$out" &&
   grep -q '^default via 169\.254\.2\.2 dev tap0' <<< "$out" &&
   grep -q '^default via fe80::1 dev tap0' <<< "$out" &&
   grep -qE '^1: lo: <[^>]*\bUP\b' <<< "$out"; then
	pass unprivileged_local_mode
else
	fail unprivileged_local_mode "status $rc: $(echo "$out" | tr '\n' ';')"
fi
