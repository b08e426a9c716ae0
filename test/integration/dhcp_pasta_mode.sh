#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The built-in services answer in pasta mode as in passt mode: udhcpc in
# the namespace gets the host's address and router, and the kernel forms
# a SLAAC address and a default route from the RA. pasta's defaults give
# no DNS servers or search list (--dhcp-dns and --dhcp-search do).
source "$(dirname "$0")/../lib.sh"

cat > "$WORK/script" <<EOS
#!/bin/sh
[ "\$1" = bound ] || exit 0
for v in ip mask router dns search mtu; do
	eval "echo \$v=\\\${\$v-}"
done > "$WORK/lease"
EOS
chmod +x "$WORK/script"

# in_pasta OPTION... -- CMD: run a shell command in a new namespace, with
# the tap interface (named after the host's, "uplink") up
in_pasta() {
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	timeout 30 "$PASTA" -q -f "${opts[@]}" -- \
		sh -c "ip link set uplink up && $*" 2>&1
}

UDHCPC="udhcpc -i uplink -f -q -n -t 3 -T 1 -s $WORK/script -O search -O mtu"

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

rm -f "$WORK/lease"
in_pasta -- "$UDHCPC" >"$WORK/udhcpc.log"
if [ -s "$WORK/lease" ]; then
	pass pasta_dhcp_lease
	check pasta_lease_values has ip=192.0.2.2 mask=24 router=192.0.2.1 \
		mtu=65520
	check pasta_default_no_dns has dns= search=
else
	fail pasta_dhcp_lease "$(tail -n 2 "$WORK/udhcpc.log")"
fi

rm -f "$WORK/lease"
in_pasta --dhcp-dns --dhcp-search -- "$UDHCPC" >"$WORK/udhcpc.log"
if [ -s "$WORK/lease" ]; then
	check pasta_dhcp_dns_and_search has dns=192.0.2.53 \
		"search=example.org test.example"
else
	fail pasta_dhcp_dns_and_search "$(tail -n 2 "$WORK/udhcpc.log")"
fi

# SLAAC: wait for a global address and the default route, then show them
# with the RA as rdisc6 sees it
out=$(in_pasta --dhcp-dns --dhcp-search -- '
	i=0
	until ip -6 route show default | grep -q "proto ra" &&
	      ip -6 addr show dev uplink scope global | grep -v tentative |
	      grep -q "inet6 2001:db8::"; do
		i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
	done
	ip -6 addr show dev uplink scope global
	ip -6 route show default
	rdisc6 -1 -n uplink')
if grep -q "inet6 2001:db8::[0-9a-f:]*/64" <<< "$out" &&
   grep -q "default via fe80::.* proto ra" <<< "$out"; then
	pass pasta_slaac_and_default_route
else
	fail pasta_slaac_and_default_route \
		"$(echo "$out" | head -n 4 | tr '\n' ' ')"
fi
if grep -q "Recursive DNS server *: *2001:db8::53" <<< "$out" &&
   grep -q "DNS search list *: *example.org test.example" <<< "$out"; then
	pass pasta_ra_dns_with_dhcp_dns
else
	fail pasta_ra_dns_with_dhcp_dns "$(grep -i dns <<< "$out" | tr '\n' ' ')"
fi
