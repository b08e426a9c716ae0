#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pasta's TCP bypass under load: 500 concurrent spliced connections each
# way all complete with their data echoed intact, and leave no file
# descriptor (socket or pipe) behind once pools settle; a namespace client
# that reads slowly throttles the host sender through the pipe and the
# socket buffers, without pasta's memory growing (VmRSS stays flat).

source "$(dirname "$0")/../lib.sh"
source "$HELPERS/tcp_lib.sh"

SRV=
trap '[ -n "$SRV" ] && kill $SRV; tcp_guest_stop; rm -rf "$WORK"' EXIT

cat > "$WORK/load.py" <<'PY'
import socket, sys, threading, time, os

def echo_server(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', port))
    s.listen(1024)
    def serve(c):
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
        c.close()
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()

def many(port, n):
    """Open n connections at once, then echo 4 KiB through each"""
    conns = []
    for i in range(n):
        c = socket.create_connection(('127.0.0.1', port), timeout=20)
        conns.append(c)
    ok = 0
    for i, c in enumerate(conns):
        msg = os.urandom(4096)
        c.sendall(msg)
        got = b''
        while len(got) < len(msg):
            d = c.recv(65536)
            if not d:
                break
            got += d
        ok += got == msg
        c.shutdown(socket.SHUT_WR)
    for c in conns:
        c.recv(1)
        c.close()
    print("ok %d" % ok)
    return 0 if ok == n else 1

def flood(port, secs):
    """Send as fast as the peer takes it for secs seconds, print bytes"""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(1)
    c, _ = s.accept()
    c.setblocking(False)
    buf = b'x' * 65536
    sent = 0
    end = time.time() + secs
    while time.time() < end:
        try:
            sent += c.send(buf)
        except BlockingIOError:
            time.sleep(0.01)
    print("sent %d" % sent, flush=True)
    time.sleep(60)

def slow(port):
    """Read 16 KiB every 50 ms"""
    c = socket.create_connection(('127.0.0.1', port))
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    while c.recv(16384):
        time.sleep(0.05)

cmd = sys.argv[1]
if cmd == 'server':
    echo_server(int(sys.argv[2]))
elif cmd == 'many':
    sys.exit(many(int(sys.argv[2]), int(sys.argv[3])))
elif cmd == 'flood':
    flood(int(sys.argv[2]), float(sys.argv[3]))
elif cmd == 'slow':
    slow(int(sys.argv[2]))
PY

fds() { ls "/proc/$NET_PID/fd" | wc -l; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$NET_PID/status"; }

ulimit -n 65536 2>/dev/null

if ! tcp_guest_pasta -d -t 10702 -T 10701 -u none -U none; then
	fail splice_load_setup "$(tail -n 3 "$NET_LOG")"
	exit 0
fi
# Pools are filled at start, before the forwarded ports listen
wait_for 5 listening host 10702 && wait_for 5 listening guest 10701
fds0=$(fds)

# 500 concurrent connections, namespace to host
python3 "$WORK/load.py" server 10701 & SRV=$!
wait_for 5 listening host 10701
check splice_500_concurrent_ns_to_host \
	in_guest timeout 60 python3 "$WORK/load.py" many 10701 500
kill $SRV; wait $SRV 2>/dev/null; SRV=

# and host to namespace
nsenter -t "$GUEST_PID" -n -- python3 "$WORK/load.py" server 10702 &
SRV=$!
wait_for 5 listening guest 10702
check splice_500_concurrent_host_to_ns \
	timeout 60 python3 "$WORK/load.py" many 10702 500
kill $SRV; wait $SRV 2>/dev/null; SRV=

# Pools refill from the timer: give them a moment to settle
wait_for 5 sh -c "[ \$(ls /proc/$NET_PID/fd | wc -l) -eq $fds0 ]"
fds1=$(fds)
if [ "$fds1" -eq "$fds0" ]; then
	pass "splice_no_fd_leak ($fds0 before, $fds1 after)"
else
	fail splice_no_fd_leak "$fds0 before, $fds1 after"
fi

# Slow reader in the namespace, fast sender on the host
python3 "$WORK/load.py" flood 10701 4 > "$WORK/flood" & SRV=$!
wait_for 5 listening host 10701
nsenter -t "$GUEST_PID" -n -- python3 "$WORK/load.py" slow 10701 &
slow=$!
# Measured from the moment both spliced sockets are connected
wait_for 5 sh -c "ss -tnH state established '( dport = :10701 )' | grep -q . &&
		  nsenter -t $GUEST_PID -n ss -tnH state established \
			'( dport = :10701 )' | grep -q ."
rss0=$(rss_kib)
wait_for 8 grep -q sent "$WORK/flood"
rss1=$(rss_kib)
sent=$(awk '{ print $2 }' "$WORK/flood")
kill $SRV $slow 2>/dev/null; wait $SRV $slow 2>/dev/null; SRV=
# ~1.3 MB/s read: what was sent is what was read plus pipe and buffers
if [ -n "$sent" ] && [ "$sent" -lt $((48 << 20)) ] &&
   [ $((rss1 - rss0)) -lt 2048 ]; then
	pass "splice_slow_reader_throttles ($((sent >> 20)) MiB sent in 4 s, \
RSS $rss0 -> $rss1 KiB)"
else
	fail splice_slow_reader_throttles \
		"sent=$sent RSS $rss0 -> $rss1 KiB"
fi

# Both peers gone: let pasta see the resets and close its side before it
# stops and counts its connections
wait_for 10 tcp_conns_closed 10701 10702
tcp_guest_stop
if grep -q "TCP splice: 0 connections active" "$NET_LOG"; then
	pass splice_load_none_left
else
	fail splice_load_none_left "$(grep 'connections active' "$NET_LOG")"
fi
