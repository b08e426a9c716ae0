#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Hold COUNT idle sockets open on loopback until killed, for the idle
# benchmark (test/perf/bench_idle.sh). KIND "tcp": all of them are the two
# ends of established TCP connections; "mixed": half of them, the other
# half connected UDP sockets; "udp": all of them connected UDP sockets.
# None of them is a listener or an unconnected UDP socket (but one, the
# UDP peer), so automatic forwarding has nothing to forward: what they
# cost is the cost of looking at a host full of sockets. Prints "ready"
# once all are open.
#
# Usage: idle_sockets.py COUNT [tcp|mixed|udp]

import resource
import socket
import sys
import time

count = int(sys.argv[1])
kind = sys.argv[2] if len(sys.argv) > 2 else "mixed"
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = count + 64
if hard != resource.RLIM_INFINITY and hard < want:
    sys.exit(f"RLIMIT_NOFILE hard limit {hard} below {want}")
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))

held = []
lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lst.bind(("127.0.0.1", 0))
lst.listen(128)
addr = lst.getsockname()
pairs = {"tcp": count // 2, "udp": 0}.get(kind, count // 4)
for _ in range(pairs):
    cli = socket.create_connection(addr)
    srv, _peer = lst.accept()
    held += [cli, srv]
lst.close()  # the connections stay, no listener is left

peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
peer.bind(("127.0.0.1", 0))
for _ in range(count - len(held) - 1):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.connect(peer.getsockname())
    held.append(u)
held.append(peer)

print("ready", flush=True)
while True:
    time.sleep(3600)
