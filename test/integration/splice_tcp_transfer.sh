#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta's TCP loopback bypass moves data both ways, intact: a host server on
# 127.0.0.1 / [::1] reached from the namespace's own loopback (-T, explicit
# and auto), and a namespace server reached from the host's loopback (-t,
# explicit and auto). Data flows in both directions on each path; the
# receiver's sha256 must equal the sender's, 1 GiB each time. Every
# connection must have been spliced (pasta's log), none left open at exit.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

trap 'tcp_guest_stop; rm -rf "$WORK"' EXIT

head -c $((256 << 20)) /dev/urandom > "$WORK/mid"
for i in 1 2 3 4; do cat "$WORK/mid"; done > "$WORK/big"
sha_mid=$(sha256sum < "$WORK/mid" | cut -d' ' -f1)
sha_big=$(sha256sum < "$WORK/big" | cut -d' ' -f1)

# sxfer NAME SERVER_AT SENDER FILE LISTEN CONNECT: one transfer
#   SERVER_AT: host or guest; SENDER: server or client (who sends FILE)
#   LISTEN, CONNECT: socat addresses of the server and the client
sxfer() {
	local name=$1 at=$2 sender=$3 file=$4 lspec=$5 cspec=$6
	local port want got t0 t1 srv_cmd cli_cmd srv

	port=$(echo "$lspec" | sed 's/^[A-Z0-9]*-LISTEN:\([0-9]*\).*/\1/')
	want=$sha_mid
	[ "$file" = "$WORK/big" ] && want=$sha_big
	rm -f "$WORK/got"

	if [ "$sender" = server ]; then
		srv_cmd="socat -u FILE:$file $lspec"
		cli_cmd="timeout 120 socat -u $cspec - | sha256sum > $WORK/got"
	else
		srv_cmd="socat -u $lspec - | sha256sum > $WORK/got"
		cli_cmd="timeout 120 socat -u FILE:$file $cspec"
	fi

	# With auto, the other side's listener follows within a second
	if [ "$at" = host ]; then
		sh -c "$srv_cmd" & srv=$!
		wait_for 5 listening host "$port"
		wait_for 5 listening guest "$port"
		t0=$(date +%s%N)
		in_guest sh -c "$cli_cmd"
	else
		in_guest sh -c "$srv_cmd" & srv=$!
		wait_for 5 listening guest "$port"
		wait_for 5 listening host "$port"
		t0=$(date +%s%N)
		sh -c "$cli_cmd"
	fi
	timeout 30 tail --pid=$srv -f /dev/null
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	t1=$(date +%s%N)
	got=$(cut -d' ' -f1 "$WORK/got" 2>/dev/null)
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		pass "$name ($(( $(stat -c %s "$file") / 1048576 )) MiB in \
$(( (t1 - t0) / 1000000 )) ms)"
	else
		fail "$name" "sha256 ${got:-none} != $want"
	fi
}

# Explicit rules: -T for namespace clients, -t for host clients
if tcp_guest_pasta -d -t 10402,10412 -T 10401,10411 -u none -U none; then
	sxfer splice_explicit_ns_to_host_ipv4 host client "$WORK/big" \
		"TCP4-LISTEN:10401,bind=127.0.0.1,reuseaddr" \
		"TCP4:127.0.0.1:10401"
	sxfer splice_explicit_host_to_ns_ipv4 host server "$WORK/big" \
		"TCP4-LISTEN:10401,bind=127.0.0.1,reuseaddr" \
		"TCP4:127.0.0.1:10401"
	sxfer splice_explicit_ns_to_host_ipv6 host client "$WORK/big" \
		"TCP6-LISTEN:10411,bind=[::1],reuseaddr" "TCP6:[::1]:10411"
	sxfer splice_explicit_host_to_ns_ipv6 host server "$WORK/big" \
		"TCP6-LISTEN:10411,bind=[::1],reuseaddr" "TCP6:[::1]:10411"

	sxfer splice_explicit_t_host_to_ns_ipv4 guest client "$WORK/big" \
		"TCP4-LISTEN:10402,reuseaddr" "TCP4:127.0.0.1:10402"
	sxfer splice_explicit_t_ns_to_host_ipv4 guest server "$WORK/big" \
		"TCP4-LISTEN:10402,reuseaddr" "TCP4:127.0.0.1:10402"
	sxfer splice_explicit_t_host_to_ns_ipv6 guest client "$WORK/big" \
		"TCP6-LISTEN:10412,reuseaddr" "TCP6:[::1]:10412"
	sxfer splice_explicit_t_ns_to_host_ipv6 guest server "$WORK/big" \
		"TCP6-LISTEN:10412,reuseaddr" "TCP6:[::1]:10412"
	tcp_guest_stop

	n=$(grep -c "TCP splice: flow [0-9]*: spliced" "$NET_LOG")
	if [ "$n" -ge 8 ] && [ "$(tcp_flows_active)" = 0 ] &&
	   grep -q "TCP splice: 0 connections active" "$NET_LOG"; then
		pass "splice_explicit_all_spliced_none_left ($n spliced)"
	else
		fail splice_explicit_all_spliced_none_left \
			"spliced=$n $(grep 'connections active' "$NET_LOG")"
	fi
else
	fail splice_explicit_setup "$(tail -n 3 "$NET_LOG")"
	tcp_guest_stop
fi

# auto (pasta's default): ports bound on one side appear on the other
if tcp_guest_pasta -d; then
	sxfer splice_auto_ns_to_host_ipv4 host client "$WORK/big" \
		"TCP4-LISTEN:10421,bind=127.0.0.1,reuseaddr" \
		"TCP4:127.0.0.1:10421"
	sxfer splice_auto_host_to_ns_ipv4 host server "$WORK/big" \
		"TCP4-LISTEN:10421,bind=127.0.0.1,reuseaddr" \
		"TCP4:127.0.0.1:10421"
	sxfer splice_auto_ns_to_host_ipv6 host client "$WORK/big" \
		"TCP6-LISTEN:10431,bind=[::1],reuseaddr" "TCP6:[::1]:10431"
	sxfer splice_auto_host_to_ns_ipv6 host server "$WORK/big" \
		"TCP6-LISTEN:10431,bind=[::1],reuseaddr" "TCP6:[::1]:10431"
	sxfer splice_auto_t_host_to_ns_ipv4 guest client "$WORK/big" \
		"TCP4-LISTEN:10422,reuseaddr" "TCP4:127.0.0.1:10422"
	sxfer splice_auto_t_ns_to_host_ipv4 guest server "$WORK/big" \
		"TCP4-LISTEN:10422,reuseaddr" "TCP4:127.0.0.1:10422"
	sxfer splice_auto_t_host_to_ns_ipv6 guest client "$WORK/big" \
		"TCP6-LISTEN:10432,reuseaddr" "TCP6:[::1]:10432"
	sxfer splice_auto_t_ns_to_host_ipv6 guest server "$WORK/big" \
		"TCP6-LISTEN:10432,reuseaddr" "TCP6:[::1]:10432"
	tcp_guest_stop
	if grep -q "TCP splice: 0 connections active" "$NET_LOG"; then
		pass splice_auto_none_left
	else
		fail splice_auto_none_left "$(tail -n 2 "$NET_LOG")"
	fi
else
	fail splice_auto_setup "$(tail -n 3 "$NET_LOG")"
	tcp_guest_stop
fi
