#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --help lists every long option the manual documents for the mode (and no
# option of the other mode), --version prints the name and a version, and
# --print-capabilities prints the vhost-user JSON; all exit with status 0.

source "$(dirname "$0")/../lib.sh"

# Long options of the manual (OPTIONS section), common to both modes
common="debug trace stats quiet foreground stderr log-file log-size runas help
version pcap pid mtu address netmask mac-addr gateway interface outbound
outbound-if4 outbound-if6 dns dns-forward dns-host search no-dhcp-dns
dhcp-dns no-dhcp-search dhcp-search no-tcp no-udp no-icmp no-dhcp no-ndp
no-dhcpv6 no-ra freebind map-host-loopback no-map-gw map-guest-addr
ipv4-only ipv6-only hostname fqdn tcp-ports udp-ports"
passt_only="socket-path socket vhost-user print-capabilities repair-path
migrate-exit migrate-no-linger fd one-off"
pasta_only="ns-ifname tcp-ns udp-ns host-lo-to-ns-lo userns netns netns-only
no-netns-quit config-net no-copy-routes no-copy-addrs ns-mac-addr no-splice"

# help_lists NAME BIN WANT NOTWANT: BIN --help (and -h) exit 0 and list
# every option in WANT, none in NOTWANT
help_lists() {
	local name=$1 bin=$2 want=$3 notwant=$4 o missing= extra= rc
	"$bin" --help > "$WORK/help" 2> "$WORK/help.err"
	rc=$?
	for o in $want; do
		grep -qE -- "--$o([ ,]|\$)" "$WORK/help" || missing+=" --$o"
	done
	for o in $notwant; do
		grep -qE -- "--$o([ ,]|\$)" "$WORK/help" && extra+=" --$o"
	done
	"$bin" -h | cmp -s - "$WORK/help" || missing+=" (-h differs)"
	if [ $rc -ne 0 ] || [ -n "$missing$extra" ] || [ -s "$WORK/help.err" ]
	then
		fail "$name" "status $rc, missing:$missing, extra:$extra"
	else
		pass "$name"
	fi
}

help_lists passt_help_lists_every_option "$PASST" "$common $passt_only" \
	   "$pasta_only"
help_lists pasta_help_lists_every_option "$PASTA" "$common $pasta_only" \
	   "$passt_only"

# knows_options NAME BIN OPTIONS: BIN accepts each of OPTIONS. Each is
# given "=x" and followed by an unknown option, so that parsing always
# stops with an error before anything starts: the error must not be about
# the option under test being unknown.
knows_options() {
	local name=$1 bin=$2 o unknown=
	for o in $3; do
		timeout 5 "$bin" --"$o"=x --zz-unknown </dev/null 2>&1 |
			grep -qF -- "unrecognized option '--$o=" &&
			unknown+=" --$o"
	done
	if [ -z "$unknown" ]; then
		pass "$name"
	else
		fail "$name" "unknown:$unknown"
	fi
}

knows_options passt_accepts_every_option "$PASST" "$common $passt_only"
knows_options pasta_accepts_every_option "$PASTA" "$common $pasta_only"

for bin in "$PASST" "$PASTA"; do
	n=$(basename "$bin")
	out=$("$bin" --version 2>&1)
	rc=$?
	# "pasta 2026_12_04.24bf1ca" (or a tag), then the licence
	re="^$n [0-9]{4}_[0-9]{2}_[0-9]{2}([.-][^[:space:]]+)?\$"
	if [ $rc -eq 0 ] && [ "$(echo "$out" | wc -l)" -eq 2 ] &&
	   [[ $(echo "$out" | head -n 1) =~ $re ]] &&
	   [[ $(echo "$out" | tail -n 1) =~ ^Licence:\ .*GPL-2\.0-or-later ]]; then
		pass "${n}_version"
	else
		fail "${n}_version" "status $rc: $out"
	fi
done

out=$("$PASST" --print-capabilities 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(echo "$out" | tr -d ' \n')" = '{"type":"net"}' ]
then
	pass print_capabilities_json
else
	fail print_capabilities_json "status $rc: $out"
fi
