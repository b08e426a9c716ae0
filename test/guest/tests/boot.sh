# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "boot": the guest came up, its virtio-net driver is loaded and
# eth0 exists (unless booted with guest_net=none).

check "${T}_guest_boots" true
if [ "${guest_net:-eth0}" != none ]; then
	check "${T}_virtio_net_loaded" grep -q '^virtio_net ' /proc/modules
	check "${T}_eth0_present" test -e /sys/class/net/eth0
fi
