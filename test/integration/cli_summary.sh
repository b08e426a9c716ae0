#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The start-up summary shows what the guest gets, sourced from the sandbox's
# host side (uplink 192.0.2.2/24 via 192.0.2.1, 2001:db8::2/64 via
# 2001:db8::1, resolv.conf 192.0.2.53, 2001:db8::53, search example.org
# test.example) or from options. Whatever the data path does later, the
# summary comes first: runs are cut short and their exit status ignored.

source "$(dirname "$0")/../lib.sh"

RUN_SECONDS=${RUN_SECONDS:-2}
n=0

# summary BIN ARG...: run BIN briefly, its stderr in $WORK/sum
summary() {
	local bin=$1
	shift
	n=$((n + 1))
	if [ "$bin" = "$PASST" ]; then
		timeout -k 1 "$RUN_SECONDS" "$bin" -f -s "$WORK/s$n" "$@" \
			</dev/null >/dev/null 2>"$WORK/sum"
	else
		timeout -k 1 "$RUN_SECONDS" "$bin" -f "$@" \
			</dev/null >/dev/null 2>"$WORK/sum"
	fi
}

# expect NAME PATTERN... -- NOT...: every PATTERN (fixed strings) is in the
# summary, no NOT is
expect() {
	local name=$1 p missing= extra= neg=false
	shift
	for p in "$@"; do
		if [ "$p" = -- ]; then
			neg=true
		elif ! $neg && ! grep -qF -- "$p" "$WORK/sum"; then
			missing+=" '$p'"
		elif $neg && grep -qF -- "$p" "$WORK/sum"; then
			extra+=" '$p'"
		fi
	done
	if [ -z "$missing$extra" ]; then
		pass "$name"
	else
		fail "$name" "missing:$missing unexpected:$extra in: $(tr '\n' '|' < "$WORK/sum" | head -c 600)"
	fi
}

summary "$PASST"
expect passt_summary_from_host "Outbound interface: uplink" \
	"assign: 192.0.2.2" "mask: 255.255.255.0" "router: 192.0.2.1" \
	"192.0.2.53" "assign: 2001:db8::2" "router: 2001:db8::1" \
	"2001:db8::53" "example.org" "test.example" "9a:55:9a:55:9a:55" \
	-- "local mode" "not advertised"

summary "$PASTA" -- true
expect pasta_summary_from_host \
	"Outbound interface: uplink, namespace interface: uplink" \
	"assign: 192.0.2.2" "router: 192.0.2.1" "192.0.2.53" \
	"assign: 2001:db8::2" "2001:db8::53" "example.org" \
	"DNS (not advertised to the guest):"

touch "$WORK/nsfile"
summary "$PASTA" --netns "$WORK/nsfile" -I ns0
expect pasta_netns_summary "namespace interface: ns0" "192.0.2.2" \
	"192.0.2.1" "192.0.2.53" "2001:db8::2" "example.org"

summary "$PASTA" --dhcp-dns --dhcp-search -- true
expect pasta_dhcp_dns_advertised "192.0.2.53" "example.org" \
	-- "not advertised"

summary "$PASST" -a 10.1.2.3 -g 10.1.2.1 -a 2001:db8:1::5 -m 1500 \
	-M 02:00:00:00:00:01
expect passt_given_addresses "assign: 10.1.2.3" "mask: 255.0.0.0" \
	"router: 10.1.2.1" "assign: 2001:db8:1::5" "02:00:00:00:00:01"

summary "$PASST" -a 192.0.2.77 -n 28
expect passt_netmask_prefix "assign: 192.0.2.77" "mask: 255.255.255.240"
summary "$PASST" -n 255.255.0.0
expect passt_netmask_dotted "assign: 192.0.2.2" "mask: 255.255.0.0"

summary "$PASST" -D 198.51.100.1 -D 2001:db8:53::1 -S "one.example two.example"
expect passt_dns_options "198.51.100.1" "2001:db8:53::1" "one.example" \
	"two.example" -- "192.0.2.53" "example.org"

summary "$PASST" -D none -S none
expect passt_dns_none "assign: 192.0.2.2" -- "DNS:" "search:"

summary "$PASST" --no-dhcp-dns --no-dhcp-search
expect passt_no_dhcp_dns "DHCP:" "DNS (not advertised to the guest):"

summary "$PASST" -4
expect passt_ipv4_only "DHCP:" "192.0.2.53" -- "NDP" "2001:db8::"
summary "$PASST" -6
expect passt_ipv6_only "NDP/DHCPv6:" "2001:db8::2" -- "DHCP:" "ARP:" \
	"192.0.2."
summary "$PASST" -m 1000
expect passt_small_mtu_disables_ipv6 "IPv6 disabled" "DHCP:" -- "NDP"

summary "$PASST" --no-dhcp --no-ndp --no-dhcpv6
expect passt_services_disabled "IPv4 (DHCP disabled):" \
	"IPv6 (NDP and DHCPv6 disabled):" -- "DHCP:" "NDP/"

summary "$PASST" -q
if [ ! -s "$WORK/sum" ]; then
	pass passt_quiet_no_summary
else
	fail passt_quiet_no_summary "$(head -n 3 "$WORK/sum" | tr '\n' '|')"
fi

# Loopback nameservers (a resolver on the host) are reached through the
# --map-host-loopback address, by default the gateway
printf 'nameserver 127.0.0.53\nnameserver ::1\nsearch lo.example\n' \
	> "$WORK/resolv.lo"
if mount --bind "$WORK/resolv.lo" /etc/resolv.conf; then
	summary "$PASST"
	expect loopback_dns_via_gateway "DNS:" "        192.0.2.1" \
		"        2001:db8::1" "lo.example" -- "127.0.0.53" "        ::1"
	summary "$PASST" --map-host-loopback 192.0.2.99
	expect loopback_dns_via_mapping "        192.0.2.99" \
		"        2001:db8::1" -- "127.0.0.53"
	summary "$PASST" --no-map-gw
	expect loopback_dns_skipped_without_mapping "lo.example" \
		-- "DNS:" "127.0.0.53"
	umount /etc/resolv.conf
else
	fail loopback_dns_via_gateway "can't replace resolv.conf"
fi

# No host interface at all: local mode, link-local addresses
cat > "$WORK/local.sh" <<EOS
ip link set lo up
timeout -k 1 $RUN_SECONDS "$PASST" -f -s "$WORK/local.sock" 2>"$WORK/sum"
true
EOS
unshare -n -- bash "$WORK/local.sh" </dev/null >/dev/null
expect local_mode_without_host_interface "local mode" \
	"assign: 169.254.2.1" "mask: 255.255.0.0" "router: 169.254.2.2" \
	"router: fe80::1" "192.0.2.53" -- "assign: 2001:db8"
