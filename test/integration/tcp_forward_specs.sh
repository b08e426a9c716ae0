#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every -t example of the manual page opens exactly the documented listening
# sockets (as listed by ss), in passt mode. The sandbox has no eth0: its
# uplink stands in for it. With --no-tcp, no socket listens and the guest's
# connections go nowhere.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

trap 'tcp_guest_stop; rm -rf "$WORK"' EXIT
ulimit -n "$(ulimit -Hn)"

# The manual's 192.0.2.1 must be a local address to be bound
ip addr add 192.0.2.1/32 dev uplink-peer

# ports FIRST LAST PREFIX: socket addresses PREFIX:FIRST .. PREFIX:LAST
ports() {
	local p
	for p in $(seq "$1" "$2"); do echo "$3:$p"; done
}

# spec_check NAME SPEC EXPECTED...: passt -t SPEC listens on exactly the
# socket addresses printed by the EXPECTED command (pasta instead, if NAME
# starts with "pasta")
spec_check() {
	local name=$1 spec=$2 pid
	shift 2
	"$@" | sort > "$WORK/want"
	if [ "${name#pasta}" != "$name" ]; then
		"$PASTA" -q -f -t "$spec" -T none -u none -U none -- \
			sh -c "touch $WORK/specs.sock; exec sleep 60" \
			> "$WORK/specs.log" 2>&1 &
	else
		"$PASST" -q -f -s "$WORK/specs.sock" -t "$spec" \
			> "$WORK/specs.log" 2>&1 &
	fi
	pid=$!
	if ! wait_for 10 test -e "$WORK/specs.sock"; then
		fail "$name" "-t $spec: $(tail -n 2 "$WORK/specs.log")"
		kill $pid 2>/dev/null; wait $pid 2>/dev/null
		return
	fi
	# Listening sockets are opened after the UNIX socket: wait for them
	wait_for 10 sh -c "[ \$(ss -ltnH | wc -l) -ge $(wc -l < "$WORK/want") ]"
	ss -ltnH | awk '{ print $4 }' | sort > "$WORK/got"
	kill $pid; wait $pid 2>/dev/null
	rm -f "$WORK/specs.sock"
	if cmp -s "$WORK/want" "$WORK/got"; then
		pass "$name ($(wc -l < "$WORK/got") sockets)"
	else
		fail "$name" "-t $spec: $(diff "$WORK/want" "$WORK/got" | \
			grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	fi
}


spec_check tcp_spec_single_port 22 ports 22 22 '*'
spec_check tcp_spec_port_to_other_port 22:23 ports 22 22 '*'
spec_check tcp_spec_port_list 22,25 sh -c "echo '*:22'; echo '*:25'"
spec_check tcp_spec_range 22-80 ports 22 80 '*'
spec_check tcp_spec_range_to_range 22-80:32-90 ports 22 80 '*'
spec_check tcp_spec_address 192.0.2.1/22 ports 22 22 192.0.2.1
spec_check tcp_spec_address_interface 192.0.2.1%uplink/22 \
	ports 22 22 192.0.2.1%uplink
spec_check tcp_spec_interface %uplink/22 ports 22 22 '*%uplink'
spec_check tcp_spec_range_with_exclusion 2000-5000,~3000-3010 \
	sh -c "seq 2000 2999 | sed 's/^/*:/'; seq 3011 5000 | sed 's/^/*:/'"
spec_check tcp_spec_address_range_with_exclusion 192.0.2.1/20-30,~25 \
	sh -c "seq 20 24 | sed 's/^/192.0.2.1:/'; \
	       seq 26 30 | sed 's/^/192.0.2.1:/'"

# The same grammar in pasta mode
spec_check pasta_tcp_spec_port_to_other_port 22:23 ports 22 22 '*'
spec_check pasta_tcp_spec_range_to_range 22-80:32-90 ports 22 80 '*'
spec_check pasta_tcp_spec_address_interface 192.0.2.1%uplink/22 \
	ports 22 22 192.0.2.1%uplink
spec_check pasta_tcp_spec_range_with_exclusion 2000-5000,~3000-3010 \
	sh -c "seq 2000 2999 | sed 's/^/*:/'; seq 3011 5000 | sed 's/^/*:/'"
read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range

# wide_check NAME SPEC MIN BAD: passt -t SPEC (-u none: UDP would forward
# the same ports, and compete for the same descriptors) listens from port 1
# up, on more than MIN ports, none ephemeral and none for which the awk
# condition BAD holds
wide_check() {
	local name=$1 spec=$2 min=$3 bad_if=$4 pid n bad
	"$PASST" -q -f -s "$WORK/specs.sock" -t "$spec" -u none \
		> "$WORK/specs.log" 2>&1 &
	pid=$!
	if wait_for 10 test -S "$WORK/specs.sock" &&
	   wait_for 20 sh -c "ss -ltnH | grep -q '^LISTEN.*:1023 '"; then
		# The listeners are opened in one go at start-up: wait until
		# their count stops growing between two looks
		local prev=-1 cur deadline=$((SECONDS + 10))
		cur=$(ss -ltnpH | grep -c "pid=$pid,")
		while [ "$cur" != "$prev" ] && [ $SECONDS -lt $deadline ]; do
			prev=$cur
			sleep 0.3
			cur=$(ss -ltnpH | grep -c "pid=$pid,")
		done
		ss -ltnpH | grep "pid=$pid," | awk '{ print $4 }' |
			sed 's/.*://' | sort -n > "$WORK/got"
		n=$(wc -l < "$WORK/got")
		bad=$(awk -v lo="$lo" -v hi="$hi" \
		      "($bad_if) || (\$1 >= lo && \$1 <= hi)" "$WORK/got" |
		      head -n 3 | tr '\n' ' ')
		if [ -z "$bad" ] && [ "$(head -n 1 "$WORK/got")" = 1 ] &&
		   [ "$n" -gt "$min" ]; then
			pass "$name ($n sockets)"
		else
			fail "$name" "$n sockets, unexpected: $bad"
		fi
	else
		fail "$name" "$(tail -n 2 "$WORK/specs.log")"
	fi
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
	rm -f "$WORK/specs.sock"
}

# "~20000-20010" means every non-ephemeral port but those: more sockets than
# the open file limit here allows (ulimit -Hn), and listening sockets take
# at most half of it, so the lowest ports get them. Check that ports are
# forwarded from 1 up, none excluded and none ephemeral, and that passt
# still starts ("no failures are reported").
wide_check tcp_spec_exclusion_only "~20000-20010" 5000 \
	'$1 >= 20000 && $1 <= 20010'

# all: every non-ephemeral port that can be bound, those taken excepted
python3 -c 'import socket, time
s = socket.socket(); s.bind(("0.0.0.0", 2345)); s.listen(); time.sleep(60)' &
taken=$!
wait_for 5 sh -c "ss -ltnH | grep -q ':2345 '"
wide_check tcp_spec_all all 1000 '$1 == 2345'
kill $taken 2>/dev/null; wait $taken 2>/dev/null

# --no-tcp: nothing listens, and the guest's SYNs are dropped (no answer)
python3 "$HELPERS/tcp_probe.py" peerserver 10401 127.0.0.1 & srv=$!
if tcp_guest_passt --no-tcp; then
	if ss -ltnH | grep -v ':10401 ' | grep -q LISTEN; then
		fail tcp_no_tcp_no_listening_socket "$(ss -ltnH | head -n 3)"
	else
		pass tcp_no_tcp_no_listening_socket
	fi
	out=$(in_guest timeout 3 python3 "$HELPERS/tcp_probe.py" \
	      peerclient 192.0.2.1 10401 2>&1)
	if [ $? -ne 0 ] && [ -z "$(echo "$out" | grep 127.0.0.1)" ]; then
		pass tcp_no_tcp_guest_connection_dropped
	else
		fail tcp_no_tcp_guest_connection_dropped "$out"
	fi
else
	fail tcp_no_tcp_setup "$(tail -n 3 "$NET_LOG")"
fi
kill $srv 2>/dev/null
