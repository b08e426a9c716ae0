#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta --config-net: the tap device in the new namespace is named after the
# host's outbound interface ("uplink" here), is up with MTU 65520, and gets
# copies of all the uplink's addresses (link-local ones left out) and
# routes; loopback is up. -I, --ns-mac-addr, -a and -g change that as the
# manual says; without --config-net the tap is created, not configured.

source "$(dirname "$0")/../lib.sh"

trap 'rm -rf "$WORK"' EXIT

# has NAME TEXT PATTERN...: PASS if TEXT matches every (extended) PATTERN
has() {
	local name=$1 text=$2 pat missing=
	shift 2
	for pat in "$@"; do
		grep -qE -- "$pat" <<< "$text" || missing="$missing [$pat]"
	done
	if [ -z "$missing" ]; then
		pass "$name"
	else
		fail "$name" "missing$missing; got: $(echo "$text" | tr '\n' ';')"
	fi
}

# hasnt NAME TEXT PATTERN: PASS if no line of TEXT matches PATTERN
hasnt() {
	if grep -qE -- "$3" <<< "$2"; then
		fail "$1" "unexpected: $(grep -E -- "$3" <<< "$2" | tr '\n' ';')"
	else
		pass "$1"
	fi
}

# in_pasta OPTIONS... -- COMMAND: run a shell command in a new namespace
in_pasta() {
	timeout 20 "$PASTA" -q -f "$@" 2>&1
}

# A second address and an extra route on the uplink: all must be copied
ip addr add 192.0.2.10/24 dev uplink
ip route add 198.51.100.0/24 via 192.0.2.1 dev uplink
ip -6 route add 2001:db8:1::/64 via 2001:db8::1 dev uplink
host_ll=$(ip -6 -o addr show dev uplink scope link | awk '{print $4}')

show='ip -o addr show; ip -o link show; ip route show; ip -6 route show'

out=$(in_pasta --config-net -- sh -c "$show")
has config_net_copies_addresses "$out" \
	'^[0-9]+: uplink +inet 192\.0\.2\.2/24 ' \
	'^[0-9]+: uplink +inet 192\.0\.2\.10/24 ' \
	'^[0-9]+: uplink +inet6 2001:db8::2/64 '
if [ -n "$host_ll" ]; then
	hasnt config_net_skips_link_local "$out" " inet6 ${host_ll%/*}/"
else
	fail config_net_skips_link_local "uplink has no link-local address"
fi
has config_net_copies_routes "$out" \
	'^default via 192\.0\.2\.1 dev uplink' \
	'^198\.51\.100\.0/24 via 192\.0\.2\.1 dev uplink' \
	'^default via 2001:db8::1 dev uplink' \
	'^2001:db8:1::/64 via 2001:db8::1 dev uplink'
has config_net_tap_up_mtu_65520 "$out" \
	'^[0-9]+: uplink: <[^>]*\bUP\b[^>]*> mtu 65520 '
has config_net_loopback_up "$out" \
	'^1: lo: <[^>]*\bUP\b' '^1: lo +inet 127\.0\.0\.1/8'

out=$(in_pasta --config-net -I ns0 --ns-mac-addr 02:00:5e:00:53:42 -- \
	sh -c "$show")
has config_net_ns_ifname "$out" '^[0-9]+: ns0: .* mtu 65520 ' \
	'^[0-9]+: ns0 +inet 192\.0\.2\.2/24 ' '^default via 192\.0\.2\.1 dev ns0'
has config_net_ns_mac_addr "$out" 'link/ether 02:00:5e:00:53:42 '

# -a: that address only; -g: the default route only (per IP version)
out=$(in_pasta --config-net -a 192.0.2.77 -g 192.0.2.3 -- sh -c "$show")
has config_net_address_option "$out" '^[0-9]+: uplink +inet 192\.0\.2\.77/'
hasnt config_net_address_option_single "$out" ' inet 192\.0\.2\.(2|10)/'
has config_net_gateway_option "$out" '^default via 192\.0\.2\.3 dev uplink'
hasnt config_net_gateway_option_default_only "$out" '^198\.51\.100\.0/24'
has config_net_gateway_option_other_family_copied "$out" \
	'^2001:db8:1::/64 via 2001:db8::1 dev uplink'

out=$(in_pasta --config-net --no-copy-addrs --no-copy-routes -- \
	sh -c "$show")
has config_net_no_copy "$out" '^[0-9]+: uplink +inet 192\.0\.2\.2/24 ' \
	'^default via 192\.0\.2\.1 dev uplink' \
	'^default via 2001:db8::1 dev uplink'
hasnt config_net_no_copy_addrs "$out" ' inet 192\.0\.2\.10/'
hasnt config_net_no_copy_routes "$out" '^198\.51\.100\.0/24'

# Without --config-net: the tap exists, down, no addresses; lo is up
out=$(in_pasta -- sh -c "$show")
has no_config_net_tap_created "$out" '^[0-9]+: uplink: <BROADCAST' \
	'^1: lo: <[^>]*\bUP\b'
hasnt no_config_net_tap_unconfigured "$out" \
	'^[0-9]+: uplink: <[^>]*\bUP\b|^[0-9]+: uplink +inet6? [0-9]|^default'
