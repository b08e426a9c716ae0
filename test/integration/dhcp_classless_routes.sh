#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A gateway outside the guest's subnet (-a 10.0.0.2 -n 32 -g 10.0.0.1, a
# cloud host's /32): udhcpc and dhclient, in a namespace guest attached to
# passt, and udhcpc in pasta's namespace, get classless static routes
# (option 121) and put them in the routing table, where we read them back:
# a host route to the gateway, a default route through it, and traffic
# flows through both. With the gateway in the subnet, no option 121. A
# DISCOVER asking for rapid commit (option 80) gets an ACK with option 80:
# no client here sends that, so a helper crafts it and checks the bytes.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
LEASE=$WORK/dhclient.leases
HOOK=/etc/dhcp/dhclient-exit-hooks.d/rfc3442-classless-routes
trap 'kill $DHCLIENT_PID $SRV_PID 2>/dev/null; guest_stop; stop_passt' EXIT

# udhcpc script: address, then option 121 if given (busybox passes it as
# "staticroutes=DEST/LEN ROUTER ..."), else option 3; lease values saved
cat > "$WORK/udhcpc.script" <<'EOS'
#!/bin/sh
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
if [ -n "$staticroutes" ]; then
	set -- $staticroutes
	while [ $# -ge 2 ]; do
		if [ "$2" = 0.0.0.0 ]; then
			ip route add "$1" dev "$interface"
		else
			ip route add "$1" via "$2" dev "$interface"
		fi
		shift 2
	done
elif [ -n "$router" ]; then
	ip route add default via "$router" dev "$interface"
fi
echo "router=$router staticroutes=$staticroutes" > "$LEASE_OUT"
EOS
chmod +x "$WORK/udhcpc.script"

# dhclient script: address, then Debian's option 121 hook, sourced as
# dhclient-script does
cat > "$WORK/dhclient.script" <<EOS
#!/bin/sh
case "\$reason" in BOUND|REBOOT) ;; *) exit 0 ;; esac
ip addr add "\$new_ip_address/\$new_subnet_mask" dev "\$interface"
[ -r "$HOOK" ] && . "$HOOK"
echo "\$new_rfc3442_classless_static_routes" > "$WORK/dhclient.routes"
EOS
chmod +x "$WORK/dhclient.script"

cat > "$WORK/dhclient.conf" <<'EOS'
option rfc3442-classless-static-routes code 121 = array of unsigned integer 8;
request subnet-mask, routers, rfc3442-classless-static-routes;
EOS

# start_passt OPTION...: passt with OPTIONs, guest (re)attached to it
start_passt() {
	"$PASST" -f -s "$SOCK" "$@" >"$WORK/passt.log" 2>&1 &
	PASST_PID=$!
	wait_for 5 test -S "$SOCK" || return 1
	if [ -z "${GUEST_PID:-}" ]; then
		guest_start "$SOCK"
	else
		guest_bridge "$SOCK"
	fi
}

stop_passt() {
	guest_unbridge
	[ -n "${PASST_PID:-}" ] && kill "$PASST_PID" 2>/dev/null
	wait "$PASST_PID" 2>/dev/null
	rm -f "$SOCK"
	PASST_PID=
}

# guest_reset: no address or route left on guest0
guest_reset() {
	in_guest ip addr flush dev guest0
	in_guest ip route flush dev guest0 2>/dev/null
	return 0
}

# udhcpc_routes: lease with udhcpc, applied; the lease in $WORK/lease
export LEASE_OUT=$WORK/lease
udhcpc_routes() {
	rm -f "$WORK/lease"
	in_guest timeout 15 udhcpc -i guest0 -f -q -n \
		-t 3 -T 1 -A 1 -s "$WORK/udhcpc.script" \
		>"$WORK/udhcpc.log" 2>&1
	[ -s "$WORK/lease" ]
}

# file_is FILE LINE: FILE holds exactly LINE
file_is() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ] || {
		echo "$1: $(tr '\n' '|' < "$1")"
		return 1
	}
}

# routes_are ROUTE...: the guest's IPv4 routing table is exactly ROUTEs
routes_are() {
	local want got
	want=$(printf '%s\n' "$@")
	got=$(in_guest ip -4 route show | sed 's/ *$//')
	[ "$got" = "$want" ] || {
		echo "routes: $(echo "$got" | tr '\n' '|')"
		return 1
	}
}

# reach ADDR TEXT: a TCP connection from the guest to ADDR:7001 (a host
# listener, through the gateway) reads TEXT
reach() {
	local got
	got=$(in_guest timeout 5 socat -u TCP:"$1":7001 - 2>&1)
	[ "$got" = "$2" ] || { echo "got '$got'"; return 1; }
}

# The listener first: each connection forks its own "echo"
socat -U TCP-LISTEN:7001,reuseaddr,fork SYSTEM:"echo via-gateway" \
	2>/dev/null &
SRV_PID=$!
wait_for 5 sh -c "ss -ltnH 'sport = :7001' | grep -q LISTEN"

OFFLINK=("default via 10.0.0.1 dev guest0" "10.0.0.1 dev guest0 scope link")

# passt, udhcpc
if ! start_passt -a 10.0.0.2 -n 32 -g 10.0.0.1; then
	fail udhcpc_classless_routes "passt or guest didn't start"
	exit 0
fi
if udhcpc_routes; then
	check udhcpc_lease_option_121 file_is "$WORK/lease" \
		"router=10.0.0.1 staticroutes=10.0.0.1/32 0.0.0.0 0.0.0.0/0 10.0.0.1"
	check udhcpc_classless_routes routes_are "${OFFLINK[@]}"
	check udhcpc_address_32 sh -c "nsenter -t $GUEST_PID -n \
		ip -o -4 addr show dev guest0 | grep -q 'inet 10.0.0.2/32 '"
	# The host route: the gateway (host loopback, mapped); the default
	# route: the host's own address, taken as any other destination
	check udhcpc_gateway_reached reach 10.0.0.1 via-gateway
	check udhcpc_default_route_used reach 192.0.2.2 via-gateway
else
	fail udhcpc_classless_routes "no lease: $(tail -n 2 "$WORK/udhcpc.log")"
fi

# Rapid commit, same passt: ACK at once, with option 80, the routes too
out=$(in_guest python3 "$HELPERS/dhcp_discover.py" guest0 rapid 1,3,121 2>&1)
# 53: ACK; 54: 10.0.0.1; 80: empty; 51: infinite; then 1, 3 and 121 asked
want=350105 want+=36040a000001 want+=5000 want+=3304ffffffff
want+=0104ffffffff want+=03040a000001
want+=790e200a00000100000000000a000001
if grep -qx "type 5" <<< "$out" && grep -qx "yiaddr 10.0.0.2" <<< "$out" &&
   grep -qx "dst 255.255.255.255" <<< "$out" &&
   grep -q "^options $want" <<< "$out"; then
	pass rapid_commit_ack
else
	fail rapid_commit_ack "$(echo "$out" | tr '\n' ' ')"
fi
out=$(in_guest python3 "$HELPERS/dhcp_discover.py" guest0 1,3 2>&1)
if grep -qx "type 2" <<< "$out" &&
   grep -q "^options 35010236040a000001" <<< "$out" &&
   grep -q "^codes 53,54,51,1,3," <<< "$out" &&
   ! grep -q "^codes.*,80\(,\|$\)" <<< "$out"; then
	pass no_rapid_commit_offer
else
	fail no_rapid_commit_offer "$(echo "$out" | tr '\n' ' ')"
fi
check passt_logged_rapid_ack grep -q "DHCP: ack to discover" \
	"$WORK/passt.log"

# passt, dhclient (Debian's hook applies option 121)
guest_reset
nsenter -t "$GUEST_PID" -n -- \
	dhclient -4 -d -v -cf "$WORK/dhclient.conf" -lf "$LEASE" \
	-pf "$WORK/dhclient.pid" -sf "$WORK/dhclient.script" guest0 \
	>"$WORK/dhclient.log" 2>&1 &
DHCLIENT_PID=$!
if wait_for 15 test -s "$WORK/dhclient.routes"; then
	check dhclient_option_121 file_is "$WORK/dhclient.routes" \
		"32 10 0 0 1 0 0 0 0 0 10 0 0 1"
	check dhclient_lease_option_121 grep -q \
		"option rfc3442-classless-static-routes 32,10,0,0,1,0,0,0,0,0,10,0,0,1;" \
		"$LEASE"
	if [ -r "$HOOK" ]; then
		check dhclient_classless_routes routes_are "${OFFLINK[@]}"
		check dhclient_default_route_used reach 192.0.2.2 via-gateway
	else
		skip dhclient_classless_routes "no $HOOK to apply them"
	fi
else
	fail dhclient_option_121 "no lease: $(tail -n 3 "$WORK/dhclient.log")"
fi
kill "$DHCLIENT_PID" 2>/dev/null
wait "$DHCLIENT_PID" 2>/dev/null
DHCLIENT_PID=

# Gateway in the subnet (the sandbox's 192.0.2.2/24 via 192.0.2.1): router
# option only, a plain default route
stop_passt
guest_reset
start_passt
if udhcpc_routes; then
	check udhcpc_on_link_no_option_121 file_is "$WORK/lease" \
		"router=192.0.2.1 staticroutes="
	check udhcpc_on_link_routes routes_are \
		"default via 192.0.2.1 dev guest0" \
		"192.0.2.0/24 dev guest0 proto kernel scope link src 192.0.2.2"
else
	fail udhcpc_on_link_no_option_121 "no lease"
fi

# pasta: udhcpc in its namespace
cat > "$WORK/pasta.sh" <<EOS
ip link set uplink up
LEASE_OUT=$WORK/pasta.lease udhcpc -i uplink -f -q -n -t 3 -T 1 -A 1 \
	-s "$WORK/udhcpc.script" >/dev/null 2>&1
ip -4 route show
EOS
out=$(timeout 30 "$PASTA" -q -f -a 10.0.0.2 -n 32 -g 10.0.0.1 -- \
	sh "$WORK/pasta.sh" 2>&1)
if grep -qx "default via 10.0.0.1 dev uplink *" <<< "$out" &&
   grep -qx "10.0.0.1 dev uplink scope link *" <<< "$out"; then
	pass pasta_udhcpc_classless_routes
else
	fail pasta_udhcpc_classless_routes "$(echo "$out" | tr '\n' '|')"
fi
