# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the TCP integration tests (test/integration/tcp_*.sh), sourced
# after test/lib.sh: start passt or pasta with a namespace guest, move data
# both ways and compare checksums, read the flow count passt logs at exit.

ECHO="$HELPERS/tcp_echo.py"
NET_PID=
NET_LOG="$WORK/net.log"

# tcp_guest_passt [PASST_OPTION]...: passt with a namespace guest on guest0,
# addressed as DHCP and NDP would (192.0.2.2/24, 2001:db8::2/64)
tcp_guest_passt() {
	MODE=passt
	"$PASST" -f -s "$WORK/passt.sock" "$@" > "$NET_LOG" 2>&1 &
	NET_PID=$!
	wait_for 5 test -S "$WORK/passt.sock" || return 1
	guest_start "$WORK/passt.sock" || return 1
	in_guest ip addr add 192.0.2.2/24 dev guest0
	in_guest ip -6 addr add 2001:db8::2/64 dev guest0 nodad
	in_guest ip route replace default via 192.0.2.1
	in_guest ip -6 route replace default via 2001:db8::1 || return 1
	wait_for 5 sh -c "! nsenter -t $GUEST_PID -n ip -6 addr show | \
			  grep -q tentative"
}

# tcp_pasta_command: host PID of the command pasta (NET_PID) runs, once
# started: PID 1 of its own PID namespace, under a process of pasta's
tcp_pasta_command() {
	local p
	for p in $(pgrep -P "$NET_PID"); do
		pgrep -P "$p" -x sleep && return 0
	done
	return 1
}

# tcp_guest_pasta [PASTA_OPTION]...: pasta with --config-net, its namespace
# used as the guest through GUEST_PID and in_guest (--stats 0: counters at
# exit, which pasta prints for a spawned command only if asked)
tcp_guest_pasta() {
	MODE=pasta
	"$PASTA" --config-net -f --stats 0 "$@" -- sleep 600 > "$NET_LOG" 2>&1 &
	NET_PID=$!
	wait_for 5 tcp_pasta_command > /dev/null || return 1
	GUEST_PID=$(tcp_pasta_command)
	wait_for 5 sh -c "nsenter -t $GUEST_PID -n ip -6 addr show | \
			  grep -q 'inet6 2001:db8::2/64 scope global'"
	# wait for IPv6 DAD to finish
	wait_for 5 sh -c "! nsenter -t $GUEST_PID -n ip -6 addr show | \
			  grep -q tentative"
}

# tcp_guest_stop: stop passt or pasta (SIGTERM: counters logged), the guest
tcp_guest_stop() {
	# (pasta's command, PID 1 of its namespace, goes with pasta)
	[ "$MODE" = passt ] && guest_stop
	if [ -n "$NET_PID" ]; then
		kill "$NET_PID" 2>/dev/null
		wait "$NET_PID" 2>/dev/null
	fi
	NET_PID=
	GUEST_PID=
}

# tcp_conns_closed PORT...: no TCP connection to or from these ports is
# open, in our namespace or the guest's (TIME-WAIT aside: no socket holds
# those), so that passt or pasta has closed its side and freed its flows
tcp_conns_closed() {
	local re
	re=":($(IFS='|'; echo "$*"))\$"
	! { ss -tanH; [ -n "${GUEST_PID:-}" ] && in_guest ss -tanH; } \
		2>/dev/null | awk -v re="$re" '$1 != "LISTEN" &&
			$1 != "TIME-WAIT" && ($4 ~ re || $5 ~ re)' | grep -q .
}

# tcp_flows_active: TCP flows active at exit, from the log of the last run
tcp_flows_active() {
	sed -n 's/.*TCP: \([0-9]*\) flows active.*/\1/p' "$NET_LOG" | tail -n 1
}

# listening WHERE PORT: a TCP socket listens on PORT (WHERE: host or guest)
listening() {
	if [ "$1" = guest ]; then
		in_guest ss -ltnH "sport = :$2" | grep -q LISTEN
	else
		ss -ltnH "sport = :$2" | grep -q LISTEN
	fi
}

# xfer NAME DIR FILE LISTEN CONNECT: send FILE with socat, compare sha256
#   DIR: to_host (server on the host, client in the guest) or to_guest
#   LISTEN, CONNECT: socat addresses for the server and the client
xfer() {
	local name=$1 dir=$2 file=$3 lspec=$4 cspec=$5 port want got t0 t1
	port=$(echo "$lspec" | sed 's/^[A-Z0-9]*-LISTEN:\([0-9]*\).*/\1/')
	want=$(sha256sum < "$file" | cut -d' ' -f1)
	rm -f "$WORK/got"

	if [ "$dir" = to_host ]; then
		sh -c "timeout 150 socat -u $lspec - | sha256sum > $WORK/got" &
		wait_for 5 listening host "$port"
		t0=$(date +%s%N)
		in_guest timeout 120 socat -u "FILE:$file" "$cspec"
	else
		in_guest sh -c "timeout 150 socat -u $lspec - |
				sha256sum > $WORK/got" &
		wait_for 5 listening guest "$port"
		t0=$(date +%s%N)
		timeout 120 socat -u "FILE:$file" "$cspec"
	fi
	wait $!
	t1=$(date +%s%N)
	got=$(cut -d' ' -f1 "$WORK/got" 2>/dev/null)
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		pass "$name ($(( $(stat -c %s "$file") / 1048576 )) MiB in \
$(( (t1 - t0) / 1000000 )) ms)"
	else
		fail "$name" "sha256 ${got:-none} != $want"
	fi
}
