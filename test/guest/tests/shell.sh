# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "shell": an interactive shell on the serial console, for
# debugging by hand (run-qemu.sh --interactive -t shell). Not for CI.

net_up
setsid cttyhack sh -l
