#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed command lines: each gives exactly one line on standard error,
# naming the option (or operand) at fault, and exit status 1, in both modes.

source "$(dirname "$0")/../lib.sh"

touch "$WORK/nsfile"
long=$(printf 'a%.0s' $(seq 1 300))

# cli_error NAME MODE EXPECT ARG...: MODE (passt/pasta) run with ARG... must
# exit with status 1 and print one line on stderr containing EXPECT
cli_error() {
	local name=$1 mode=$2 expect=$3 bin rc lines
	shift 3
	[ "$mode" = pasta ] && bin=$PASTA || bin=$PASST
	timeout 5 "$bin" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	lines=$(wc -l < "$WORK/err")
	if [ $rc -ne 1 ]; then
		fail "$name" "status $rc: $(head -c 300 "$WORK/err" | tr '\n' ' ')"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "$lines lines: $(head -c 300 "$WORK/err" | tr '\n' '|')"
	elif ! grep -qF -- "$expect" "$WORK/err"; then
		fail "$name" "no '$expect' in: $(cat "$WORK/err")"
	else
		pass "$name"
	fi
}

cli_error mtu_too_large		passt "-m 70000"	-m 70000
cli_error mtu_too_small		passt "--mtu 67"	--mtu 67
cli_error mtu_not_a_number	passt "-m 15x0"		-m 15x0
cli_error address_invalid	passt "-a 300.1.1.1"	-a 300.1.1.1
cli_error address_multicast	passt "-a 224.0.0.1"	-a 224.0.0.1
cli_error address_v6_invalid	passt "-a 2001:db8::g"	-a 2001:db8::g
cli_error gateway_invalid	pasta "-g nope"		-g nope -- true
cli_error netmask_holes		passt "-n 255.0.255.0"	-n 255.0.255.0
cli_error netmask_too_long	passt "-n 33"		-n 33
cli_error mac_invalid		passt "-M 9a:55:9a:55:9a"	-M 9a:55:9a:55:9a
cli_error mac_multicast		pasta "--ns-mac-addr 01:00:5e:00:00:01" \
				--ns-mac-addr 01:00:5e:00:00:01 -- true
cli_error tcp_port_too_large	passt "-t 70000"	-t 70000
cli_error tcp_port_zero		passt "-t 0"		-t 0
cli_error tcp_range_reversed	passt "-t 5-3"		-t 5-3
cli_error tcp_target_missing	passt "-t 22:"		-t 22:
cli_error tcp_target_size	passt "-t 22-80:32-33"	-t 22-80:32-33
cli_error tcp_bad_bind_address	passt "-t 300.1.1.1/22"	-t 300.1.1.1/22
cli_error udp_empty_items	passt "-u ,,"		-u ,,
cli_error udp_lone_tilde	passt "-u ~"		-u '~'
cli_error tcp_ns_garbage	pasta "-T garbage"	-T garbage -- true
cli_error udp_ns_auto_passt	passt "-U"		-U auto
cli_error tcp_all_in_pasta	pasta "-t all"		-t all -- true
cli_error tcp_auto_in_passt	passt "-t auto"		-t auto
cli_error ifname_too_long	passt "--outbound-if4"	--outbound-if4 "$long"
cli_error ifname_unknown	passt "-i nosuchif0"	-i nosuchif0
cli_error dns_too_many		passt "-D 192.0.2.7"	-D 192.0.2.4 \
				-D 192.0.2.5 -D 192.0.2.6 -D 192.0.2.7
cli_error dns_invalid		passt "-D dns.example"	-D dns.example
cli_error search_invalid	passt "-S good.example a..b"		-S 'good.example a..b'
cli_error socket_path_too_long	passt "-s"		-s "$WORK/$long"
cli_error log_size_too_small	passt "--log-size 100"	--log-size 100
cli_error log_file_unwritable	passt "-l /nonexistent/log" -l /nonexistent/log
cli_error pid_file_unwritable	passt "-P /nonexistent/pid" -P /nonexistent/pid
cli_error runas_unknown		passt "--runas"		--runas no_such_user_xyz
cli_error fd_not_open		passt "-F 77"		-F 77
cli_error fd_not_socket		passt "-F 0"		-F 0
cli_error hostname_too_long	passt "-H"		-H "$long"
cli_error stats_not_a_number	passt "--stats"		--stats soon
cli_error unknown_long_option	passt "passt: unrecognized option '--no-such-option'" \
				--no-such-option
cli_error unknown_short_option	passt "passt: invalid option -- 'x'"	-x
cli_error missing_argument	passt "passt: option '--mtu' requires an argument" \
				--mtu
cli_error ambiguous_abbreviation	passt "passt: option '--net=3' is ambiguous" \
				--net=3
cli_error flag_with_argument	passt \
				"passt: option '--debug' doesn't allow an argument" \
				--debug=x
cli_error short_in_cluster	passt "passt: invalid option -- 'x'" --debug -xf
cli_error short_cluster_after_value passt "passt: invalid option -- 'x'" \
				--mtu=1500 -xf
# A mode (none, auto, all) with anything else for the same option: the
# line names both specifications
cli_error tcp_ports_then_none	passt "-t none: conflicts with previous -t 8080-8080:80-80" \
				-t 8080-8080:80-80 -t none
cli_error tcp_none_then_ports	passt "-t 80: conflicts with previous -t none" \
				-t none -t 80
cli_error tcp_all_then_none	passt "-t none: conflicts with previous -t all" \
				-t all -t none
cli_error udp_ports_then_all	passt "-u all: conflicts with previous -u 53" \
				-u 53 -u all
cli_error udp_none_twice	passt "-u none: conflicts with previous -u none" \
				-u none -u none
cli_error pasta_tcp_auto_ports	pasta "-t 8080: conflicts with previous -t auto" \
				-t auto -t 8080 -- true
cli_error pasta_udp_none_auto	pasta "--udp-ports auto: conflicts with previous -u none" \
				-u none --udp-ports auto -- true
cli_error pasta_tcp_ns_ports_none pasta "-T none: conflicts with previous -T 5353" \
				-T 5353 -T none -- true
cli_error pasta_tcp_ns_auto_none pasta "-T none: conflicts with previous -T auto" \
				-T auto -T none -- true
cli_error pasta_udp_ns_auto_ports pasta "-U 53: conflicts with previous -U auto" \
				-U auto -U 53 -- true
cli_error pcap_unwritable	passt "-p /nonexistent/x" -p /nonexistent/x
cli_error socket_dir_missing	passt "-s /nonexistent/dir/sock" \
				-s /nonexistent/dir/sock
cli_error userns_missing	pasta "--userns /nonexistent" \
				--userns /nonexistent --netns "$WORK/nsfile"
cli_error passt_operand		passt "stray"		-f stray
cli_error pasta_only_in_passt	passt "--netns"		--netns foo
cli_error pasta_only_short	passt "-I"		-I eth0
cli_error passt_only_in_pasta	pasta "--vhost-user"	--vhost-user -- true
cli_error passt_only_short	pasta "-s"		-s /tmp/x -- true
cli_error ipv4_and_ipv6_only	passt "-4"		-4 -6
cli_error netns_with_pid	pasta "--netns"		--netns "$WORK/nsfile" 1
cli_error netns_with_command	pasta "--netns"		--netns "$WORK/nsfile" -- true
cli_error netns_missing		pasta "--netns"		--netns no_such_ns
cli_error pid_not_running	pasta "PID 999999999"	999999999
cli_error userns_alone		pasta "--userns"	--userns /proc/self/ns/user -- true
cli_error no_tcp_with_ports	passt "-t"		--no-tcp -t 22
cli_error control_chars_quoted	passt "-m"		-m $'1\n2'

# Control characters of the value are replaced, not printed
if grep -qF -- '-m 1?2:' "$WORK/err"; then
	pass control_chars_replaced
else
	fail control_chars_replaced "$(cat -A "$WORK/err")"
fi
