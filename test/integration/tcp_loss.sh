#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# TCP through passt when frames get lost: test/helpers/tcp_lossproxy drops
# 5% of the TCP segments passt sends to the guest (there is no netem or
# iptables here), data and ACKs. Streams both ways, IPv4 and IPv6, must
# still arrive byte for byte: passt retransmits on duplicate ACKs and on
# its timer, and no flow may be left behind. The proxy counts what it
# dropped and which of the dropped new data came through again later: both
# must be there, or the transfers passing would prove nothing.
#
# Losses the other way (guest to passt) are not tested: with them the
# guest's own retransmissions stall for tens of seconds in this set-up,
# with the reference passt too.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

trap 'tcp_guest_stop; kill $PROXY_PID 2>/dev/null; rm -rf "$WORK"' EXIT

ip addr add 192.0.2.3/32 dev uplink-peer
ip -6 addr add 2001:db8::3/128 dev uplink-peer nodad

"$PASST" -f -s "$WORK/passt.sock" -t 10502,10512 > "$NET_LOG" 2>&1 &
NET_PID=$!
MODE=passt
wait_for 5 test -S "$WORK/passt.sock"
"$HELPERS/tcp_lossproxy" "$WORK/lossy.sock" "$WORK/passt.sock" 5 42 2 \
	2> "$WORK/proxy.log" &
PROXY_PID=$!
if ! wait_for 5 test -S "$WORK/lossy.sock" ||
   ! guest_start "$WORK/lossy.sock"; then
	fail loss_setup "$(tail -n 3 "$NET_LOG" "$WORK/proxy.log")"
	exit 0
fi
in_guest ip addr add 192.0.2.2/24 dev guest0
in_guest ip -6 addr add 2001:db8::2/64 dev guest0 nodad
in_guest ip route replace default via 192.0.2.1
in_guest ip -6 route replace default via 2001:db8::1
wait_for 5 sh -c "! nsenter -t $GUEST_PID -n ip -6 addr show | grep -q tentative"

head -c $((32 << 20)) /dev/urandom > "$WORK/data"

xfer loss_guest_to_host_ipv4 to_host "$WORK/data" \
	"TCP-LISTEN:10501,bind=127.0.0.1,reuseaddr" "TCP:192.0.2.1:10501"
xfer loss_host_to_guest_ipv4 to_guest "$WORK/data" \
	"TCP-LISTEN:10502,reuseaddr" "TCP:192.0.2.3:10502"
xfer loss_guest_to_host_ipv6 to_host "$WORK/data" \
	"TCP6-LISTEN:10511,bind=[::1],reuseaddr" "TCP6:[2001:db8::1]:10511"
xfer loss_host_to_guest_ipv6 to_guest "$WORK/data" \
	"TCP6-LISTEN:10512,reuseaddr" "TCP6:[2001:db8::3]:10512"

# no_conns_left: no TCP socket of the transfers is open here, passt's own
# or a peer's (TIME-WAIT left aside: no process holds those), so that passt
# has closed its flows before it stops and counts them
no_conns_left() {
	! ss -tanH | awk '$1 != "LISTEN" && $1 != "TIME-WAIT"' |
		grep -qE ':105(01|02|11|12)( |$)'
}
wait_for 10 no_conns_left ||
	echo "connections still open: $(ss -tanH | grep -E ':105[01][12]')"
tcp_guest_stop
wait $PROXY_PID 2>/dev/null
echo "$(cat "$WORK/proxy.log"); $(grep 'TCP:' "$NET_LOG")"

# The proxy did drop segments towards the guest, and passt sent again all
# the new data among them (bytes the guest had no copy of): the transfers
# above were not just lucky
dropped=$(sed -n 's/.*dropped [0-9]* to passt, \([0-9]*\) to guest/\1/p' \
	  "$WORK/proxy.log")
read -r new resent < <(sed -n \
	's/.*to guest: new data dropped \([0-9]*\), sent again \([0-9]*\)/\1 \2/p' \
	"$WORK/proxy.log")
if [ "${dropped:-0}" -gt 0 ] && [ "${new:-0}" -gt 0 ]; then
	pass "loss_segments_dropped ($dropped, $new with new data)"
else
	fail loss_segments_dropped "proxy: $(tr '\n' ' ' < "$WORK/proxy.log")"
fi
if [ "${new:-0}" -gt 0 ] && [ "${resent:-}" = "$new" ]; then
	pass "loss_dropped_data_retransmitted ($resent)"
else
	fail loss_dropped_data_retransmitted \
		"new data dropped ${new:-?}, sent again ${resent:-?}"
fi

n=$(tcp_flows_active)
if [ "$n" = 0 ]; then
	pass loss_no_flow_left
else
	fail loss_no_flow_left "${n:-no count} flows active"
fi
