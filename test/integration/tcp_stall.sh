#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Data both ways at once, paced, through passt (socket mode, tapbridge)
# between a namespace guest and a host peer (test/helpers/tcp_mig_peer.py),
# with small send buffers so that passt's socket often runs out of room:
# no direction may stall, and what each side received must hash to what
# the other sent, round after round. A window promising more than the
# socket then takes made passt refuse data it had let the guest send, and
# the hole took the guest's timeouts, growing exponentially, to fill.
source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

trap 'tcp_guest_stop; rm -rf "$WORK"' EXIT
PEER="$HELPERS/tcp_mig_peer.py"
ROUNDS=${TCP_STALL_ROUNDS:-16}
BYTES=$((4 << 20))

# Send buffers of 64 KiB at most (this namespace only, passt's sockets)
if ! sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536"; then
	skip tcp_stall_both_ways "can't set net.ipv4.tcp_wmem here"
	exit 0
fi
if ! tcp_guest_passt; then
	fail tcp_stall_setup "$(tail -n 3 "$NET_LOG")"
	exit 0
fi

# stall_compare: both sides moved BYTES each way, hashes cross-match
stall_compare() {
	local h g
	h=$(grep '^conn 0 ' "$WORK/host.out")
	g=$(grep '^conn 0 ' "$WORK/guest.out")
	read -r _ _ _ hs hsha _ hr hrsha _ herr <<<"$h"
	read -r _ _ _ gs gsha _ gr grsha _ gerr <<<"$g"
	[ "$herr" = none ] && [ "$gerr" = none ] &&
	[ "$hs" = "$BYTES" ] && [ "$gs" = "$BYTES" ] &&
	[ "$hr" = "$BYTES" ] && [ "$gr" = "$BYTES" ] &&
	[ "$hsha" = "$grsha" ] && [ "$gsha" = "$hrsha" ]
}

# stall_summary FILE: bytes sent and received, and how it ended
stall_summary() {
	awk '/^conn/ { print "sent", $4, "recv", $7, "err", $10 }' "$1"
}

bad=
for r in $(seq 1 "$ROUNDS"); do
	python3 "$PEER" listen 127.0.0.1 10001 1 $BYTES $BYTES 8 \
		>"$WORK/host.out" 2>&1 &
	hp=$!
	wait_for 5 grep -q listening "$WORK/host.out"
	in_guest python3 "$PEER" connect 192.0.2.1 10001 1 $BYTES $BYTES 8 \
		>"$WORK/guest.out" 2>&1 &
	gp=$!
	wait "$gp" "$hp"
	if ! stall_compare; then
		bad="round $r: host: $(stall_summary "$WORK/host.out");\
 guest: $(stall_summary "$WORK/guest.out")"
		in_guest ss -tnmi
		ss -tnmi
		break
	fi
done
if [ -z "$bad" ]; then
	pass tcp_stall_both_ways
else
	fail tcp_stall_both_ways "$bad"
fi
