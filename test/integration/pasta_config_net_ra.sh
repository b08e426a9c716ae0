#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta --config-net: the namespace keeps exactly the IPv6 addresses and
# routes pasta copied. pasta's Router Advertisements still arrive (the
# first one at once, then every 10 to 30 s), but the namespace's kernel
# doesn't act on them: no SLAAC address, no second default route, so
# connections leave from the copied address.

source "$(dirname "$0")/../lib.sh"

PORT=10642
SRV=
trap 'kill $SRV 2>/dev/null; rm -rf "$WORK"' EXIT

# A listener on the host's loopback: the gateway address leads there
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::1", int(sys.argv[1])))
s.listen(8)
while True:
    c, _ = s.accept()
    c.close()
' "$PORT" &
SRV=$!
wait_for 5 sh -c "ss -Htln | grep -q '\[::1\]:$PORT '" ||
	fail listener "host listener didn't start"

# In the namespace: wait for an RA to arrive, then watch until 10 s have
# passed, stopping early if an address or route shows up that we didn't
# copy; then report the state and the source of a TCP connection (once any
# new address could be one)
cat > "$WORK/inner.sh" << 'INNER'
start=$(date +%s)
ra() {
	awk '$1 == "Icmp6InRouterAdvertisements" { print $2 }' \
		/proc/net/dev_snmp6/uplink
}
extra() {
	[ "$(ip -6 addr show scope global | grep -c ' inet6 ')" -ne 1 ] ||
	[ "$(ip -6 route show default | wc -l)" -ne 1 ]
}
while [ "$(ra)" -lt 1 ] && [ $(($(date +%s) - start)) -lt 10 ]; do
	sleep 0.1
done
echo "ra $(ra)"
while ! extra && [ $(($(date +%s) - start)) -lt 10 ]; do
	sleep 0.2
done
# Addresses still in duplicate address detection can't be a source yet
while ip -6 addr show tentative | grep -q ' inet6 ' &&
      [ $(($(date +%s) - start)) -lt 15 ]; do
	sleep 0.2
done
ip -6 addr show scope global | sed -n 's/^ *inet6 \([^ ]*\) .*/addr \1/p'
ip -6 route show default | sed 's/^/route /'
python3 -c '
import socket, sys
s = socket.create_connection(("2001:db8::1", int(sys.argv[1])), timeout=5)
print("source", s.getsockname()[0])
' "$1"
INNER

out=$(timeout 30 "$PASTA" -q -f --config-net -- sh "$WORK/inner.sh" "$PORT" \
	2>&1)

if grep -qE '^ra [1-9]' <<< "$out"; then
	pass config_net_ra_sent
else
	fail config_net_ra_sent "no Router Advertisement seen: $(echo "$out" | tr '\n' ';')"
fi

addrs=$(grep '^addr ' <<< "$out")
if [ "$addrs" = "addr 2001:db8::2/64" ]; then
	pass config_net_ra_no_slaac_address
else
	fail config_net_ra_no_slaac_address "global addresses: $(echo "$addrs" | tr '\n' ';')"
fi

routes=$(grep '^route ' <<< "$out")
if [ "$(wc -l <<< "$routes")" -eq 1 ] &&
   grep -q '^route default via 2001:db8::1 dev uplink' <<< "$routes"; then
	pass config_net_ra_one_default_route
else
	fail config_net_ra_one_default_route "default routes: $(echo "$routes" | tr '\n' ';')"
fi

if grep -qx 'source 2001:db8::2' <<< "$out"; then
	pass config_net_ra_source_is_copied_address
else
	fail config_net_ra_source_is_copied_address "$(grep -v '^addr \|^route ' <<< "$out" | tr '\n' ';')"
fi
