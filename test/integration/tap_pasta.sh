#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta's tap device carries frames both ways: the namespace's ARP requests
# are answered, its Router Solicitations get a valid Router Advertisement
# (checksums and all, or the kernel ignores it), and -p captures both
# directions.
source "$(dirname "$0")/../lib.sh"

CAP=$WORK/cap.pcap
OUR_MAC=9a:55:9a:55:9a:55

# Inside the namespace: resolve the gateway, then wait for a default
# route learnt from a Router Advertisement
cat > "$WORK/inner.sh" <<'INNER'
ifname=$(ip -o link | awk -F': ' '$2 != "lo" { print $2; exit }')
busybox arping -c 1 -w 3 -I "$ifname" 192.0.2.1
for i in $(seq 50); do
	ip -6 neigh show | grep -q router && break
	sleep 0.1
done
ip -6 neigh show
INNER

timeout 60 "$PASTA" --config-net -f -p "$CAP" -- sh "$WORK/inner.sh" \
	>"$WORK/out" 2>"$WORK/err"
rc=$?

if [ "$rc" -eq 0 ] && grep -qi "reply from 192.0.2.1 \[$OUR_MAC\]" \
	"$WORK/out"; then
	pass pasta_tap_arp_answered
else
	fail pasta_tap_arp_answered "rc=$rc $(tail -n 3 "$WORK/err")"
fi

if grep -qi "lladdr $OUR_MAC router" "$WORK/out"; then
	pass pasta_tap_router_advertisement_accepted
else
	fail pasta_tap_router_advertisement_accepted "$(cat "$WORK/out")"
fi

pcap_text "$CAP" > "$WORK/cap.txt" 2>/dev/null
if grep -q "Request who-has 192.0.2.1 .*tell 192.0.2.2" "$WORK/cap.txt" &&
   grep -q "Reply 192.0.2.1 is-at $OUR_MAC" "$WORK/cap.txt"; then
	pass pasta_tap_pcap_both_directions
else
	fail pasta_tap_pcap_both_directions "$(head -n 3 "$WORK/cap.txt")"
fi
