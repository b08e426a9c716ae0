#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The --control socket, passt (namespace guest) and pasta: forwards added
# at run time carry connections and show in "list", removing one refuses
# new connections but keeps the established one, conflicting and malformed
# requests are refused whole, 1,000 adds and removes leave no descriptor
# behind, and "stats" (and --stats-json) is JSON whose counters move.

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

trap 'tcp_guest_stop; kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
CTL="$WORK/ctl.sock"

# ctl REQUEST...: send request lines on one connection, print the answers
ctl() {
	printf '%s\n' "$@" | timeout 20 socat -t 10 - UNIX-CONNECT:"$CTL"
}

# ctl_ok NAME REQUEST: the answer ends with "ok"
ctl_ok() {
	local out
	out=$(ctl "$2")
	if [ "$(echo "$out" | tail -n 1)" = ok ]; then
		pass "$1"
	else
		fail "$1" "$2: $out"
	fi
}

# ctl_error NAME REQUEST: one line starting with "error: ", and alive after
ctl_error() {
	local out
	out=$(ctl "$2")
	if [ "$(echo "$out" | wc -l)" -eq 1 ] &&
	   [ "${out#error: }" != "$out" ] &&
	   [ "$(ctl list | tail -n 1)" = ok ]; then
		pass "$1 (${out})"
	else
		fail "$1" "$2: $out"
	fi
}

# net_pid: the process serving the control socket
net_pid() {
	ss -xlpH src "$CTL" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1
}

# fd_count: descriptors of the process serving the control socket ($pid)
fd_count() {
	ls "/proc/$pid/fd" | wc -l
}

# fds_settled: wait (10 s at most) until the descriptor count holds still
# for 2 seconds, polling every half second
fds_settled() {
	local a b n=0 i
	a=$(fd_count)
	for i in $(seq 20); do
		sleep 0.5
		b=$(fd_count)
		[ "$a" = "$b" ] && n=$((n + 1)) || n=0
		[ $n -ge 4 ] && return 0
		a=$b
	done
}

# guest_hello PORT: reply "hello" to any connection on PORT in the guest, forever
guest_hello() {
	in_guest socat TCP-LISTEN:"$1",fork,reuseaddr SYSTEM:'echo hello' &
	wait_for 5 listening guest "$1"
}

# hello_from PORT: a connection to the host's PORT gets "hello"
hello_from() {
	[ "$(timeout 5 socat -T 3 - TCP:127.0.0.1:"$1" < /dev/null)" = hello ]
}

# refused PORT: the host's PORT refuses connections
refused() {
	! listening host "$1" &&
	! timeout 5 socat -T 2 - TCP:127.0.0.1:"$1" < /dev/null 2>/dev/null
}

# suite MODE: every check, with passt or pasta running (MODE)
suite() {
	local m=$1 out before after pid fdn0 fdn1 j0 j1 gw

	check "${m}_control_mode_0600" test "$(stat -c %a "$CTL")" = 600

	ctl_ok "${m}_control_add" "add -t 18080:80"
	out=$(ctl list)
	if echo "$out" | grep -qx -- '-t 18080:80' &&
	   [ "$(echo "$out" | tail -n 1)" = ok ]; then
		pass "${m}_control_list"
	else
		fail "${m}_control_list" "$out"
	fi
	guest_hello 80
	check "${m}_control_connect_added" wait_for 5 hello_from 18080

	# A connection established through a forward outlives its removal
	ctl_ok "${m}_control_add_second" "add -t 18081:81"
	in_guest socat TCP-LISTEN:81,reuseaddr EXEC:cat &
	wait_for 5 listening guest 81
	mkfifo "$WORK/in"
	timeout 60 socat TCP:127.0.0.1:18081 - < "$WORK/in" > "$WORK/out" &
	exec 3> "$WORK/in"
	echo one >&3
	wait_for 5 grep -q one "$WORK/out"
	ctl_ok "${m}_control_del" "del -t 18081:81"
	echo two >&3
	if wait_for 5 grep -q two "$WORK/out"; then
		pass "${m}_control_established_kept"
	else
		fail "${m}_control_established_kept" "$(cat "$WORK/out")"
	fi
	exec 3>&-
	rm -f "$WORK/in"
	check "${m}_control_del_refused" refused 18081
	ctl_ok "${m}_control_del_first" "del -t 18080:80"
	check "${m}_control_connect_removed_refused" refused 18080
	check "${m}_control_list_empty" sh -c "! printf 'list\n' | \
		socat -t 5 - UNIX-CONNECT:$CTL | grep -q 1808"

	# Conflicting and malformed requests change nothing
	ctl_ok "${m}_control_add_third" "add -t 18082:80"
	ctl_error "${m}_control_conflicting_target" "add -t 18082:90"
	ctl_error "${m}_control_already_forwarded" "add -t 18082:80"
	ctl_error "${m}_control_del_missing" "del -t 18083"
	ctl_error "${m}_control_del_other_target" "del -t 18082:81"
	ctl_error "${m}_control_bad_port" "add -t 70000"
	ctl_error "${m}_control_bad_option" "add -x 80"
	ctl_error "${m}_control_bad_verb" "frobnicate"
	ctl_error "${m}_control_extra_word" "add -t 80 81"
	ctl_error "${m}_control_all_refused" "add -t all"
	ctl_error "${m}_control_too_long" "$(head -c 2000 /dev/zero | tr '\0' x)"
	check "${m}_control_connect_kept" hello_from 18082

	# A port taken on the host: the whole request fails, nothing stays
	socat TCP-LISTEN:18093,reuseaddr - > /dev/null &
	wait_for 5 listening host 18093
	ctl_error "${m}_control_bind_failure" "add -t 18090-18095:80-85"
	if ! listening host 18090 && ! listening host 18095 &&
	   ! ctl list | grep -q 1809; then
		pass "${m}_control_applied_whole"
	else
		fail "${m}_control_applied_whole" "$(ss -ltnH | grep 1809)"
	fi
	kill %socat 2>/dev/null

	# 1,000 adds and removes: no descriptor left behind. pasta refills its
	# pools of sockets and pipes for the loopback bypass once a second:
	# compare counts at rest, once the pools are full again
	pid=$(net_pid)
	fds_settled
	fdn0=$(fd_count)
	for i in $(seq 1000); do
		echo "add -t 18200:80"
		echo "del -t 18200:80"
	done > "$WORK/loop"
	out=$(timeout 120 socat -t 30 - UNIX-CONNECT:"$CTL" < "$WORK/loop" |
	      grep -cx ok)
	wait_for 5 sh -c "[ \$(ls /proc/$pid/fd | wc -l) -eq $fdn0 ]"
	fdn1=$(fd_count)
	if [ "$out" -eq 2000 ] && [ "$fdn0" -eq "$fdn1" ] &&
	   ! listening host 18200; then
		pass "${m}_control_loop_no_leak ($fdn0 descriptors)"
	else
		fail "${m}_control_loop_no_leak" "$out ok, fds $fdn0 -> $fdn1"
	fi

	# UDP: added and listed, removed
	ctl_ok "${m}_control_add_udp" "add -u 18300-18301"
	check "${m}_control_udp_bound" sh -c \
		"ss -lunH | grep -q ':18301 '"
	ctl_ok "${m}_control_del_udp" "del -u 18300-18301"
	check "${m}_control_udp_closed" sh -c "! ss -lunH | grep -q ':1830'"

	# stats: JSON, counters moving with traffic through the guest link
	ctl stats > "$WORK/j0"
	check "${m}_control_stats_json" python3 -m json.tool "$WORK/j0"
	check "${m}_control_stats_one_line" test "$(wc -l < "$WORK/j0")" -eq 1
	gw=$(in_guest ip -4 route show default | awk '{ print $3; exit }')
	socat TCP-LISTEN:18400,reuseaddr SYSTEM:'echo hi' &
	wait_for 5 listening host 18400
	in_guest timeout 5 socat -T 3 - TCP:"$gw":18400 < /dev/null \
		> "$WORK/hi"
	ctl stats > "$WORK/j1"
	j0=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]));
print(j["tap"]["frames_in"], j["tap"]["bytes_out"],
      j["tcp"]["connections"], j["guest"]["connected"])' "$WORK/j0")
	j1=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]));
print(j["tap"]["frames_in"], j["tap"]["bytes_out"],
      j["tcp"]["connections"], j["guest"]["connected"])' "$WORK/j1")
	if python3 -c 'import sys
a = sys.argv[1].split(); b = sys.argv[2].split()
sys.exit(not (int(b[0]) > int(a[0]) and int(b[1]) > int(a[1]) and
              int(b[2]) > int(a[2]) and b[3] == "True"))' "$j0" "$j1" &&
	   [ "$(cat "$WORK/hi")" = hi ]; then
		pass "${m}_control_stats_counters_move ($j0 -> $j1)"
	else
		fail "${m}_control_stats_counters_move" "$j0 -> $j1"
	fi
}

if tcp_guest_passt --control "$CTL" --stats 0 --stats-json; then
	suite passt
	ctl_error passt_control_T_refused "add -T 80"
	pid=$NET_PID
	tcp_guest_stop
	# --stats-json: the state in parts, one object a line, at exit too
	if grep -o '{"mode".*' "$NET_LOG" | tail -n 5 | python3 -c '
import json, sys
parts = [json.loads(l) for l in sys.stdin]
keys = set().union(*parts)
sys.exit(not {"guest", "tap", "tcp", "udp", "forwards"} <= keys or
	 parts[-1]["forwards"]["tcp_in"]["rules"] != 1)'; then
		pass passt_stats_json_at_exit
	else
		fail passt_stats_json_at_exit "$(tail -n 3 "$NET_LOG")"
	fi
	check passt_control_socket_removed wait_for 5 test ! -e "$CTL"
else
	fail passt_control_start "$(tail -n 3 "$NET_LOG")"
	tcp_guest_stop
fi

if tcp_guest_pasta --control "$CTL" -t none -u none -T none -U none; then
	suite pasta
	# -T: the namespace's loopback port reaches the host's
	socat TCP-LISTEN:18500,reuseaddr,fork SYSTEM:'echo fromhost' &
	wait_for 5 listening host 18500
	ctl_ok pasta_control_add_T "add -T 18500"
	check pasta_control_T_connect sh -c "[ \"\$(nsenter -t $GUEST_PID \
		-n timeout 5 socat -T 3 - TCP:127.0.0.1:18500 < /dev/null)\" \
		= fromhost ]"
	ctl_ok pasta_control_del_T "del -T 18500"
	check pasta_control_T_removed sh -c "! nsenter -t $GUEST_PID -n \
		ss -ltnH | grep -q ':18500 '"
	ctl_error pasta_control_auto_refused_spec "add -t auto"
	tcp_guest_stop
else
	fail pasta_control_start "$(tail -n 3 "$NET_LOG")"
	tcp_guest_stop
fi
