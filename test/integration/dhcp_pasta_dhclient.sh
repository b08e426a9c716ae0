#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ISC dhclient against pasta, without --config-net: dhclient -4 in the
# namespace pasta starts gets the host's address, netmask, router, DNS and
# search list (--dhcp-dns, --dhcp-search), MTU and hostname; dhclient -6
# gets the host's IPv6 address and DNS. Then the same with pasta attached
# to a namespace made beforehand (pasta PID), and udhcpc in it.
source "$(dirname "$0")/../lib.sh"

NS_PID=
trap '[ -n "$NS_PID" ] && kill $NS_PID; kill $PASTA_PID 2>/dev/null' EXIT

# lease_has FILE LINE...: the lease file has these lines (indentation
# ignored)
lease_has() {
	local f=$1 l
	shift
	for l in "$@"; do
		sed 's/^ *//' "$f" | grep -qxF -- "$l" || {
			echo "missing '$l' in $(tr '\n' ' ' < "$f" | head -c 300)"
			return 1
		}
	done
}

# The namespace's command: DHCP, then wait for a usable link-local
# address, then DHCPv6; each client tries once (-1), configures nothing
cat > "$WORK/clients.sh" <<EOS
#!/bin/sh
ip link set uplink up
timeout 15 dhclient -4 -1 -d -v -lf "$WORK/lease4" -pf "$WORK/pid4" \
	-sf /bin/true uplink > "$WORK/dhclient4.log" 2>&1
i=0
until ip -6 addr show dev uplink scope link | grep -v tentative |
      grep -q "inet6 fe80"; do
	i=\$((i + 1)); [ \$i -gt 100 ] && break; sleep 0.1
done
timeout 15 dhclient -6 -1 -d -v -lf "$WORK/lease6" -pf "$WORK/pid6" \
	-sf /bin/true uplink > "$WORK/dhclient6.log" 2>&1
EOS
chmod +x "$WORK/clients.sh"

timeout 60 "$PASTA" -q -f --dhcp-dns --dhcp-search -H nsguest -- \
	"$WORK/clients.sh" > "$WORK/pasta.log" 2>&1
if grep -q "fixed-address" "$WORK/lease4" 2>/dev/null; then
	pass pasta_dhclient4_lease
	check pasta_dhclient4_values lease_has "$WORK/lease4" \
		"fixed-address 192.0.2.2;" \
		"option subnet-mask 255.255.255.0;" \
		"option routers 192.0.2.1;" \
		"option domain-name-servers 192.0.2.53;" \
		'option domain-search "example.org.", "test.example.";' \
		"option interface-mtu 65520;" \
		'option host-name "nsguest";'
else
	fail pasta_dhclient4_lease "$(tail -n 3 "$WORK/dhclient4.log")"
fi
if grep -q "iaaddr" "$WORK/lease6" 2>/dev/null; then
	pass pasta_dhclient6_lease
	check pasta_dhclient6_values lease_has "$WORK/lease6" \
		"iaaddr 2001:db8::2 {" \
		"option dhcp6.name-servers 2001:db8::53;"
else
	fail pasta_dhclient6_lease "$(tail -n 3 "$WORK/dhclient6.log")"
fi

# pasta PID: a namespace of our own, then udhcpc in it
unshare -rUn sh -c 'exec sleep 60' &
NS_PID=$!
ns=$(readlink /proc/self/ns/net)
wait_for 5 sh -c "[ \"\$(readlink /proc/$NS_PID/ns/net)\" != '$ns' ]"
"$PASTA" -q -f "$NS_PID" > "$WORK/attach.log" 2>&1 &
PASTA_PID=$!
ns_run() {
	nsenter -t "$NS_PID" -U -n --preserve-credentials -- "$@"
}
if wait_for 5 sh -c "nsenter -t $NS_PID -U -n --preserve-credentials -- \
		     ip link show uplink >/dev/null 2>&1"; then
	ns_run ip link set uplink up
	out=$(ns_run timeout 15 udhcpc -i uplink -f -q -n -t 3 -T 1 \
	      -s /bin/true 2>&1)
	if grep -q "lease of 192.0.2.2 obtained" <<< "$out"; then
		pass pasta_attached_udhcpc_lease
	else
		fail pasta_attached_udhcpc_lease "$(tail -n 2 <<< "$out")"
	fi
else
	fail pasta_attached_udhcpc_lease \
		"no tap device: $(tail -n 2 "$WORK/attach.log")"
fi
