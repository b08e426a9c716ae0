#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A host whose resolvers are stubs on loopback (127.0.0.53 and ::1): a
# namespace guest of passt is given the gateways instead, by DHCP and by
# NDP (RDNSS), and resolves names through them, the replies coming from
# the addresses it asked. -D and --dns-forward given win.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
STUB="$HELPERS/dns_stub.py"
NAME=www.example.org
ANSWER=198.51.100.7
STUBS=
trap 'guest_stop; stop_passt; for p in $STUBS; do kill $p; done' EXIT

printf 'nameserver 127.0.0.53\nnameserver ::1\nsearch example.org\n' \
	> /etc/resolv.conf

# start_stub ADDR: stub resolver on ADDR port 53
start_stub() {
	python3 "$STUB" serve "$1" "$ANSWER" "$WORK/stub.$1.log" &
	STUBS="$STUBS $!"
	wait_for 5 test -e "$WORK/stub.$1.log"
}

start_passt() {
	"$PASST" -f -s "$SOCK" "$@" >"$WORK/passt.log" 2>&1 &
	PASST_PID=$!
	wait_for 5 test -S "$SOCK" || return 1
	if [ -z "${GUEST_PID:-}" ]; then
		guest_ns || return 1
		in_guest sysctl -qw net.ipv6.conf.default.router_solicitations=0
	fi
	guest_bridge "$SOCK"
}

stop_passt() {
	guest_unbridge
	[ -n "${PASST_PID:-}" ] && kill "$PASST_PID" 2>/dev/null
	wait "$PASST_PID" 2>/dev/null
	rm -f "$SOCK"
	PASST_PID=
}

cat > "$WORK/script" <<EOS
#!/bin/sh
[ "\$1" = bound ] || exit 0
ip addr replace "\$ip/\$mask" dev "\$interface"
ip route replace default via "\$router"
echo "\$dns" > "$WORK/dns"
EOS
chmod +x "$WORK/script"

# lease: run udhcpc once, configure the guest, DNS servers in $WORK/dns
lease() {
	rm -f "$WORK/dns"
	in_guest timeout 15 udhcpc -i guest0 -f -q -n -t 3 -T 1 -A 1 \
		-s "$WORK/script" >"$WORK/udhcpc.log" 2>&1
	[ -s "$WORK/dns" ]
}

# resolves NAME SERVER [--tcp]: the guest's query to SERVER is answered
# by the stub, from SERVER
resolves() {
	local got
	got=$(in_guest python3 "$STUB" query $3 --server "$2" "$NAME" 2>&1)
	if [ "$got" = "$ANSWER from $2" ]; then
		pass "$1"
	else
		fail "$1" "got '$got'"
	fi
}

start_stub 127.0.0.53
start_stub ::1
if ! start_passt; then
	fail dhcp_dns_loopback "passt or guest didn't start"
	exit 0
fi

if lease; then
	check dhcp_gives_gateway_for_stub grep -qx "192.0.2.1" "$WORK/dns"
	resolves dhcp_dns_resolves_udp 192.0.2.1
	resolves dhcp_dns_resolves_tcp 192.0.2.1 --tcp
else
	fail dhcp_gives_gateway_for_stub "no lease: $(tail -n 2 \
		"$WORK/udhcpc.log")"
fi

ra_rdnss() {
	in_guest rdisc6 -1 -n guest0 2>&1 |
		grep -Eqi "Recursive DNS server *: *2001:db8::1$"
}
slaac_addr() {
	in_guest ip -6 addr show dev guest0 scope global |
		grep -v tentative | grep -q "inet6 2001:db8::"
}
check rdnss_gives_gateway_for_stub wait_for 10 ra_rdnss
if wait_for 10 slaac_addr; then
	resolves rdnss_dns_resolves_udp 2001:db8::1
	resolves rdnss_dns_resolves_tcp 2001:db8::1 --tcp
else
	fail rdnss_dns_resolves_udp "no SLAAC address in the guest"
fi

stop_passt
start_passt -D 192.0.2.53
if lease; then
	check dhcp_dns_option_wins grep -qx "192.0.2.53" "$WORK/dns"
else
	fail dhcp_dns_option_wins "no lease"
fi

stop_passt
start_passt --dns-forward 192.0.2.77
if lease; then
	check dhcp_dns_forward_wins grep -qx "192.0.2.77" "$WORK/dns"
	resolves dhcp_dns_forward_resolves 192.0.2.77
else
	fail dhcp_dns_forward_wins "no lease"
fi
