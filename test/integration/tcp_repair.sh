#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# TCP_REPAIR at the kernel level, without vhost-user: test/helpers/
# tcp_repair_probe moves a live loopback connection (IPv4, then IPv6) (data unacknowledged
# one way, unread the other) from one socket to a new one through passt's
# tcp_repair.c and its migration record, with the old socket frozen (what
# the peer sends meanwhile stays unacknowledged) and closed silently; the
# transfer carries on both ways, every byte checked, and the network
# namespace sent no RST at all (TcpOutRsts).

source "$(dirname "$0")/../lib.sh"

PROBE="$HELPERS/tcp_repair_probe"

# out_rsts() - The namespace's count of RSTs sent
out_rsts() {
	awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
		       else print $c["OutRsts"] }' /proc/net/snmp
}

for v in 4 6; do
	before=$(out_rsts)
	out=$("$PROBE" $v 2>&1)
	rc=$?
	after=$(out_rsts)
	if [ $rc -eq 2 ]; then
		skip tcp_repair_move_ipv$v "$out"
	elif [ $rc -eq 0 ] && [ "$before" = "$after" ]; then
		pass tcp_repair_move_ipv$v
	elif [ $rc -eq 0 ]; then
		fail tcp_repair_move_ipv$v "$((after - before)) RST sent: $out"
	else
		fail tcp_repair_move_ipv$v "$out"
	fi
done
