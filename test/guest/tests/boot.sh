# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "boot": the guest came up, its virtio-net driver is loaded and
# eth0 exists (unless booted with guest_net=none), and the programs copied
# with their libraries (iperf3, socat, dhclient) start.

check "${T}_guest_boots" true
if [ "${guest_net:-eth0}" != none ]; then
	check "${T}_virtio_net_loaded" grep -q '^virtio_net ' /proc/modules
	check "${T}_eth0_present" test -e /sys/class/net/eth0
fi
check "${T}_guest_iperf3_runs" iperf3 --version
check "${T}_guest_socat_runs" socat -V
check "${T}_guest_dhclient_runs" sh -c 'dhclient --version 2>&1 | grep -q isc'

# The tools work on loopback, so later tests can rely on them over eth0
iperf3 -s -1 -p 5201 > /tmp/iperf3-lo.log 2>&1 &
wait_for 5 sh -c 'netstat -ltn | grep -q ":5201 "'
check "${T}_guest_iperf3_loopback" iperf3 -c 127.0.0.1 -p 5201 -n 1M
socat -u UDP-RECV:5300 CREATE:/tmp/udp-lo.out &
pid=$!
wait_for 5 sh -c 'netstat -lun | grep -q ":5300 "'
echo hello-udp | socat -u - UDP-SENDTO:127.0.0.1:5300
check "${T}_guest_socat_udp_loopback" wait_for 5 grep -q hello-udp /tmp/udp-lo.out
kill $pid 2>/dev/null
