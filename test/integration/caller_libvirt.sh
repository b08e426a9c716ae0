#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libvirt's passt command lines, replayed: passt --one-off --socket PATH
# --pid PATH (it goes to the background, libvirt reads the PID file), with
# a port forward. A namespace guest on the socket gets its address by DHCP
# and the forwarded port reaches it; passt exits after that one client.
# With --vhost-user, a front end gets the vhost-user feature set.
source "$(dirname "$0")/../lib.sh"

# gone PID: PID ended (a zombie counts: the daemon isn't our child, and
# nobody in the sandbox may reap it)
gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

SOCK=$WORK/libvirt.sock
trap 'guest_stop; kill $SRV $(cat $WORK/*.pid 2>/dev/null) 2>/dev/null' EXIT


"$PASST" --one-off --socket "$SOCK" --pid "$WORK/passt.pid" \
	-t 18082:82 -u none 2>"$WORK/err"
rc=$?
pid=$(cat "$WORK/passt.pid" 2>/dev/null)
if [ $rc -eq 0 ] && [ -S "$SOCK" ] && [ -n "$pid" ] &&
   kill -0 "$pid" 2>/dev/null; then
	pass libvirt_starts_with_pid_file
else
	fail libvirt_starts_with_pid_file "status $rc: $(head -c 300 "$WORK/err")"
	exit 0
fi

guest_start "$SOCK"
caller_guest_configured libvirt_guest_configured
caller_port_forwarded libvirt_port_forwarded from-libvirt-guest 82 18082

guest_unbridge
if wait_for 10 gone "$pid"; then
	pass libvirt_one_off_exits
else
	fail libvirt_one_off_exits "passt $pid still running"
fi

# --vhost-user: same command line; a front end asks for the features
VSOCK=$WORK/vhost.sock
"$PASST" --one-off --socket "$VSOCK" --pid "$WORK/vhost.pid" --vhost-user \
	-t 18083:83 -u none 2>"$WORK/verr"
rc=$?
feat=$(timeout 10 python3 - "$VSOCK" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(struct.pack("<III", 1, 1, 0))   # GET_FEATURES, version 1
hdr = s.recv(12)
req, flags, size = struct.unpack("<III", hdr)
val = struct.unpack("<Q", s.recv(size))[0]
print(hex(val) if req == 1 and flags & 4 else "bad reply")
PY
)
vpid=$(cat "$WORK/vhost.pid" 2>/dev/null)
# VIRTIO_F_VERSION_1 (bit 32) is what a virtio-net front end needs
if [ $rc -eq 0 ] && [ -n "$feat" ] && [ "$feat" != "bad reply" ] &&
   (( (feat >> 32) & 1 )); then
	pass libvirt_vhost_user_front_end
else
	fail libvirt_vhost_user_front_end \
		"status $rc, features '$feat': $(head -c 300 "$WORK/verr")"
fi
if [ -n "$vpid" ] && wait_for 10 gone "$vpid"; then
	pass libvirt_vhost_user_one_off_exits
else
	fail libvirt_vhost_user_one_off_exits "passt $vpid still running"
fi
