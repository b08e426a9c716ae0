# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "probe": print a marker and stop at once; run-qemu.sh boots it
# to find out whether KVM can run this guest.

echo "GUEST: probe ok"
