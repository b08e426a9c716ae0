#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# busybox udhcpc in a namespace guest attached to passt gets the host's
# address, netmask, router, DNS, search list, MTU, hostname and FQDN, and
# the configuration options change what it gets: -m, -D, -S, -H,
# --no-dhcp-dns, --no-dhcp-search, --no-dhcp.
source "$(dirname "$0")/../lib.sh"

SOCK=$WORK/passt.sock
trap 'guest_stop; stop_passt' EXIT

cat > "$WORK/script" <<EOS
#!/bin/sh
[ "\$1" = bound ] || exit 0
for v in ip subnet mask router dns domain search mtu hostname serverid \
	 lease opt81; do
	eval "echo \$v=\\\${\$v-}"
done > "$WORK/lease.tmp"
mv "$WORK/lease.tmp" "$WORK/lease"
EOS
chmod +x "$WORK/script"

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

# lease [UDHCPC_OPTION]...: run udhcpc once, leave the lease in $WORK/lease
lease() {
	rm -f "$WORK/lease"
	in_guest timeout 15 udhcpc -i guest0 -f -q -n -t 3 -T 1 -A 1 \
		-s "$WORK/script" -O search -O mtu -O hostname -O 81 "$@" \
		>"$WORK/udhcpc.log" 2>&1
	[ -s "$WORK/lease" ]
}

# has VAR=VALUE...: the lease holds exactly these values
has() {
	local kv
	for kv in "$@"; do
		grep -qx -- "$kv" "$WORK/lease" || {
			echo "want $kv, lease: $(tr '\n' ' ' < "$WORK/lease")"
			return 1
		}
	done
}

if ! start_passt -H guest1 --fqdn guest1.example.org; then
	fail dhcp_udhcpc_lease "passt or guest didn't start"
	exit 0
fi

if lease; then
	pass udhcpc_gets_lease
else
	fail udhcpc_gets_lease "$(tail -n 3 "$WORK/udhcpc.log")"
	exit 0
fi
check lease_address_and_mask has ip=192.0.2.2 subnet=255.255.255.0 mask=24
check lease_router_and_server has router=192.0.2.1 serverid=192.0.2.1
check lease_dns_from_resolv_conf has dns=192.0.2.53
check lease_search_list has domain=example.org \
	"search=example.org test.example"
check lease_mtu_default has mtu=65520
check lease_hostname has hostname=guest1
# RFC 4702: flags (N, E), RCODE1/2 255, wire-format name
check lease_client_fqdn has \
	opt81=0cffff06677565737431076578616d706c65036f726700
check lease_infinite has lease=4294967295
check passt_logged_ack grep -q "DHCP: ack to request" "$WORK/passt.log"

stop_passt
start_passt -m 1500 -D 192.0.2.99 -D 192.0.2.98 -S "one.example two.one.example"
if lease; then
	check lease_options_configured has mtu=1500 \
		"dns=192.0.2.99 192.0.2.98" \
		"search=one.example two.one.example" \
		domain=one.example hostname=
else
	fail lease_options_configured "no lease"
fi

stop_passt
start_passt --no-dhcp-dns --no-dhcp-search -m 0
if lease; then
	check lease_without_dns_and_search has ip=192.0.2.2 dns= search= \
		domain= mtu=
else
	fail lease_without_dns_and_search "no lease"
fi

stop_passt
start_passt --no-dhcp
# passt must be up and answering ARP, or no lease would prove nothing
silent_but_alive no_dhcp_no_lease "$PASST_PID" lease
