# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "tcp_transfer": TCP data through passt both ways, with the
# content checked. Kernel parameters:
#   guest_tcp_host	address of the host's servers (default 192.0.2.1,
#			the gateway, which passt maps to host loopback)
#   guest_tcp_up_port	the host stores what we send there; we print
#			"GUEST: tcp upload md5 SUM" for the host to compare
#   guest_tcp_up_kib	KiB to send (default 1024)
#   guest_tcp_down_port	the host sends a file from there...
#   guest_tcp_down_md5	...whose md5sum must be this
# The network must already be up (run "netconf" first, or net_up).

host=${guest_tcp_host:-192.0.2.1}

if [ -n "${guest_tcp_up_port:-}" ]; then
	dd if=/dev/urandom of=/tmp/tcp-up bs=1024 \
		count="${guest_tcp_up_kib:-1024}" 2>/dev/null
	check "${T}_tcp_upload_sent" \
		socat -u OPEN:/tmp/tcp-up "TCP:$host:$guest_tcp_up_port"
	echo "GUEST: tcp upload md5 $(md5sum < /tmp/tcp-up | cut -d' ' -f1)"
fi

if [ -n "${guest_tcp_down_port:-}" ]; then
	rm -f /tmp/tcp-down
	if socat -u "TCP:$host:$guest_tcp_down_port" CREATE:/tmp/tcp-down \
		> /tmp/tcp-down.log 2>&1; then
		expect "${T}_tcp_download" "md5sum of the data" \
			"$(md5sum < /tmp/tcp-down | cut -d' ' -f1)" \
			"${guest_tcp_down_md5:-}"
	else
		fail "${T}_tcp_download" "$(tail -n 2 /tmp/tcp-down.log)"
	fi
fi
