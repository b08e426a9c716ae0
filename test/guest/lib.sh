# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for guest tests (/tests/NAME.sh), installed as /lib/guest.sh in the
# qemu guest's initramfs and sourced before each test. Results are lines
# "PASS: name", "FAIL: name: why", "SKIP: name: why" on the serial console,
# counted by the host's test runner. Test names start with $T (kernel
# parameter guest_tag, default "qemu"), so one guest test can run once per
# back end with distinct names.

T=${guest_tag:-qemu}
IF=${guest_if:-eth0}

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: ${2:-failed}"; }
skip() { echo "SKIP: $1: $2"; }

# check NAME COMMAND...: PASS if COMMAND succeeds, FAIL with its output if not
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# expect NAME WHAT GOT WANT: PASS if GOT equals WANT
expect() {
	if [ "$3" = "$4" ]; then
		pass "$1"
	else
		fail "$1" "$2 is '$3', want '$4'"
	fi
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.2 s until it succeeds
wait_for() {
	local n=$(($1 * 5))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -le 0 ] && return 1
		sleep 0.2
	done
}

# lease_get FILE KEY: value of KEY=VALUE in a lease file written by the
# DHCP client scripts (/bin/udhcpc.script, /bin/dhclient.script)
lease_get() {
	sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n1
}

# net_dhcp4: get an IPv4 lease with udhcpc and apply it; the lease is in
# /tmp/dhcp4.lease (ip, mask, router, dns, mtu, domain, search, serverid)
net_dhcp4() {
	rm -f /tmp/dhcp4.lease
	udhcpc -i "$IF" -s /bin/udhcpc.script -f -q -n -t 5 -T 2 \
		-O mtu -O search > /tmp/udhcpc.log 2>&1
	[ -s /tmp/dhcp4.lease ]
}

# net_dhcp6: get an IPv6 lease with dhclient -6 and apply it; the lease is in
# /tmp/dhcp6.lease (ip, prefixlen, dns, search)
net_dhcp6() {
	local pid
	rm -f /tmp/dhcp6.lease /tmp/dhclient6.leases
	# dhclient binds to the link-local address: wait for DAD to finish
	wait_for 5 ll6_ready
	dhclient -6 -1 -d -v -cf /etc/dhcp/dhclient.conf \
		-sf /bin/dhclient.script -lf /tmp/dhclient6.leases \
		-pf /tmp/dhclient6.pid "$IF" > /tmp/dhclient6.log 2>&1 &
	pid=$!
	wait_for 15 test -s /tmp/dhcp6.lease
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -s /tmp/dhcp6.lease ]
}

# ready WHAT: tell the host that the guest reached a point (e.g. a server it
# started listens): the host waits for the line "GUEST: ready WHAT" in the
# output of run-qemu.sh
ready() {
	echo "GUEST: ready $1"
}

# ll6_ready: the interface has a link-local address that passed DAD
ll6_ready() {
	ip -6 addr show dev "$IF" scope link | grep -q inet6 &&
		! ip -6 addr show dev "$IF" scope link | grep -q tentative
}

# slaac_addr PREFIX: print the first non-tentative /64 global address whose
# text starts with PREFIX (e.g. "2001:db8::"), fail if there is none
slaac_addr() {
	ip -6 addr show dev "$IF" | grep -v tentative |
		awk -v p="$1" '$1 == "inet6" && index($2, p) == 1 &&
			$2 ~ /\/64$/ { sub("/64", "", $2); print $2; f = 1; exit }
			END { exit !f }'
}

# net_up: configure the interface the way a normal guest would (DHCP, SLAAC)
# for tests that only need a working network
net_up() {
	net_dhcp4 || echo "GUEST: no DHCP lease"
	wait_for 10 slaac_addr "${guest_prefix6:-2001:db8::}" ||
		echo "GUEST: no SLAAC address"
}
