#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A host whose resolver is a stub on loopback (127.0.0.53, 127.0.0.1, ::1):
# a command spawned by pasta sees a resolv.conf naming the gateway instead,
# with the rest of the host's file kept, and resolves names through it over
# UDP and TCP, the replies coming from the address it asked; the host's
# file stays as it was. Remote nameservers keep their place; -D and
# --dns-forward win; -D none leaves the file alone; attached to an existing
# namespace, pasta only says which address to use.
source "$(dirname "$0")/../lib.sh"

STUB="$HELPERS/dns_stub.py"
NAME=www.example.org
ANSWER=198.51.100.7
PIDS=
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	stop_stub
	rm -rf "$WORK"
}
trap cleanup EXIT

# host_resolv TEXT: the sandbox's (the host's) resolv.conf, kept in $WORK
host_resolv() {
	printf '%b' "$1" > /etc/resolv.conf
	cp /etc/resolv.conf "$WORK/host.resolv"
}

# start_stub ADDR: stub resolver on ADDR port 53, log in $WORK/stub.log
start_stub() {
	rm -f "$WORK/stub.log"
	python3 "$STUB" serve "$1" "$ANSWER" "$WORK/stub.log" &
	STUB_PID=$!
	wait_for 5 test -e "$WORK/stub.log"
}

stop_stub() {
	[ -n "${STUB_PID:-}" ] || return 0
	kill "$STUB_PID" 2>/dev/null
	wait "$STUB_PID" 2>/dev/null
	STUB_PID=
}

# in_pasta [OPTION...] -- SCRIPT: run SCRIPT under pasta --config-net,
# output in $WORK/out, the command's resolv.conf in $WORK/cmd.resolv
in_pasta() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	timeout 30 "$PASTA" -q --config-net "${opts[@]}" -- sh -c \
		"cat /etc/resolv.conf > '$WORK/cmd.resolv'; $1" \
		> "$WORK/out" 2>&1
}

# resolv_is NAME TEXT: the command's resolv.conf is exactly TEXT
resolv_is() {
	if [ "$(cat "$WORK/cmd.resolv")" = "$(printf '%b' "$2")" ]; then
		pass "$1"
	else
		fail "$1" "got: $(tr '\n' '|' < "$WORK/cmd.resolv")"
	fi
}

# host_unchanged NAME: the host's resolv.conf is as host_resolv wrote it
host_unchanged() {
	check "$1" cmp /etc/resolv.conf "$WORK/host.resolv"
}

# out_has NAME LINE...: the command printed each LINE
out_has() {
	local name=$1 l
	shift
	for l in "$@"; do
		if ! grep -qxF -- "$l" "$WORK/out"; then
			fail "$name" "no '$l' in: $(tr '\n' '|' < "$WORK/out")"
			return
		fi
	done
	pass "$name"
}

Q="python3 $STUB query"

# systemd-resolved: 127.0.0.53, with search list, options and comments
host_resolv "# stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch example.org\n"
start_stub 127.0.0.53
in_pasta -- "getent hosts $NAME | tr -s ' '; $Q $NAME; $Q --tcp $NAME"
resolv_is resolved_stub_rewritten \
	"# stub\nnameserver 192.0.2.1\noptions edns0 trust-ad\nsearch example.org"
out_has resolved_stub_getent "$ANSWER $NAME"
out_has resolved_stub_udp_tcp_from_nameserver "$ANSWER from 192.0.2.1"
check resolved_stub_saw_udp_and_tcp sh -c \
	"grep -qx 'udp $NAME' '$WORK/stub.log' &&
	 grep -qx 'tcp $NAME' '$WORK/stub.log'"
host_unchanged resolved_stub_host_file_unchanged

# The C library over TCP (options use-vc) reaches it too
host_resolv "nameserver 127.0.0.53\noptions use-vc\n"
: > "$WORK/stub.log"
in_pasta -- "getent hosts $NAME | tr -s ' '"
out_has resolved_stub_getent_tcp "$ANSWER $NAME"
check resolved_stub_getent_used_tcp grep -qx "tcp $NAME" "$WORK/stub.log"
stop_stub

# dnsmasq, unbound: 127.0.0.1
host_resolv "nameserver 127.0.0.1\n"
start_stub 127.0.0.1
in_pasta -- "$Q $NAME; $Q --tcp $NAME"
resolv_is localhost_stub_rewritten "nameserver 192.0.2.1"
out_has localhost_stub_resolves "$ANSWER from 192.0.2.1"
host_unchanged localhost_stub_host_file_unchanged
stop_stub

# IPv6 loopback: the IPv6 gateway
host_resolv "nameserver ::1\nsearch example.org\n"
start_stub ::1
in_pasta -- "$Q $NAME; $Q --tcp $NAME"
resolv_is ipv6_stub_rewritten "nameserver 2001:db8::1\nsearch example.org"
out_has ipv6_stub_resolves "$ANSWER from 2001:db8::1"
host_unchanged ipv6_stub_host_file_unchanged
stop_stub

# A remote nameserver first, then the stub: order kept, the remote one
# untouched (and never asked: the query names the gateway)
host_resolv "nameserver 192.0.2.9\nnameserver 127.0.0.53\nnameserver ::1\n"
start_stub 127.0.0.53
in_pasta -- "$Q --server 192.0.2.1 $NAME"
resolv_is mixed_order_kept \
	"nameserver 192.0.2.9\nnameserver 192.0.2.1\nnameserver 2001:db8::1"
out_has mixed_stub_after_remote_resolves "$ANSWER from 192.0.2.1"
host_unchanged mixed_host_file_unchanged

# Stub first, remote after
host_resolv "nameserver 127.0.0.53\nnameserver 192.0.2.9\n"
in_pasta -- "true"
resolv_is mixed_stub_first_order_kept \
	"nameserver 192.0.2.1\nnameserver 192.0.2.9"

# --dns-forward given: its address replaces the stub, and reaches it
host_resolv "nameserver 127.0.0.53\nsearch example.org\n"
in_pasta --dns-forward 192.0.2.77 -- "$Q $NAME; $Q --tcp $NAME"
resolv_is dns_forward_wins "nameserver 192.0.2.77\nsearch example.org"
out_has dns_forward_resolves "$ANSWER from 192.0.2.77"

# -D given: its nameservers, in place of the host's
in_pasta -D 192.0.2.53 -- "true"
resolv_is dns_option_wins "nameserver 192.0.2.53\nsearch example.org"

# -D none: the host's file, as it is
in_pasta -D none -- "true"
resolv_is dns_none_leaves_file "nameserver 127.0.0.53\nsearch example.org"
host_unchanged dns_none_host_file_unchanged
stop_stub

# No loopback resolver: nothing to change
host_resolv "nameserver 192.0.2.53\nsearch example.org\n"
in_pasta -- "true"
resolv_is remote_resolver_untouched "nameserver 192.0.2.53\nsearch example.org"

# Attached to an existing namespace: no file changes, one message
host_resolv "nameserver 127.0.0.53\n"
unshare --net sleep 600 &
TARGET=$!
PIDS="$PIDS $TARGET"
wait_for 5 sh -c "[ \"\$(readlink /proc/$TARGET/ns/net)\" != \
	\"\$(readlink /proc/self/ns/net)\" ]"
"$PASTA" -f --config-net "$TARGET" > "$WORK/attach.log" 2>&1 &
ATTACH=$!
PIDS="$PIDS $ATTACH"
if wait_for 10 nsenter -t "$TARGET" -n ip -o addr show uplink; then
	check attach_says_which_address grep -q \
		"use nameserver 192.0.2.1 in" "$WORK/attach.log"
	check attach_says_it_once sh -c \
		"[ \$(grep -c 'use nameserver' '$WORK/attach.log') = 1 ]"
else
	fail attach_says_which_address "pasta didn't set up the namespace"
fi
host_unchanged attach_host_file_unchanged
