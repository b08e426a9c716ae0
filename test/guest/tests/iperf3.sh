# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "iperf3": TCP throughput through passt, guest to host and host
# to guest (iperf3 -R), against an iperf3 server on the host. Prints
# "GUEST: iperf3 DIRECTION RATE Mbits/sec" lines for benchmarks; passes if
# data moved. Kernel parameters:
#   guest_iperf3_host	server address (default 192.0.2.1, the gateway,
#			which passt maps to host loopback)
#   guest_iperf3_port	server port (default 5201)
#   guest_iperf3_sec	seconds each way (default 3)
# The network must already be up (run "netconf" first, or net_up).

host=${guest_iperf3_host:-192.0.2.1}
port=${guest_iperf3_port:-5201}
sec=${guest_iperf3_sec:-3}

for dir in to_host to_guest; do
	opt=
	[ $dir = to_guest ] && opt=-R
	if iperf3 -c "$host" -p "$port" -t "$sec" -f m $opt \
		> "/tmp/iperf3-$dir.log" 2>&1; then
		rate=$(awk '/receiver$/ { for (i = 1; i < NF; i++)
			if ($(i + 1) == "Mbits/sec") print $i }' \
			"/tmp/iperf3-$dir.log")
		echo "GUEST: iperf3 $dir ${rate:-?} Mbits/sec"
		pass "${T}_iperf3_$dir"
	else
		fail "${T}_iperf3_$dir" "$(tail -n 2 "/tmp/iperf3-$dir.log")"
	fi
done
