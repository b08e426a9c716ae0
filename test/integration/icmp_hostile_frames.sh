#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed ICMP/ICMPv6 Echo frames written straight to pasta's tap device
# (bad checksums, headers cut short, IP lengths past the end of the frame, a
# runt frame) are dropped: no reply comes back for them, while well-formed
# requests sent the same way right after are answered, and pasta keeps
# working (ping through it succeeds afterwards).

source "$(dirname "$0")/../lib.sh"

PROBE="$HELPERS/icmp_probe"
trap 'rm -rf "$WORK"' EXIT

# Frames go to pasta's MAC address (default 9a:55:9a:55:9a:55, -M)
check hostile_echo_frames_dropped timeout 30 "$PASTA" -q -f --config-net -- \
	"$PROBE" hostile uplink 9a:55:9a:55:9a:55 \
	192.0.2.2 192.0.2.1 2001:db8::2 2001:db8::1 777

check ping_after_hostile_frames timeout 30 "$PASTA" -q -f --config-net -- \
	sh -c "'$PROBE' hostile uplink 9a:55:9a:55:9a:55 \
		192.0.2.2 192.0.2.1 2001:db8::2 2001:db8::1 900;
	       ping -c1 -W2 192.0.2.1 && ping -6 -c1 -W2 2001:db8::1"
