#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcp_probe.py - Test helper: one TCP behaviour per sub-command.

  halfserver PORT [BIND]  read to EOF, then answer sha256 of what came and
                          1 MiB more, and close
  halfclient HOST PORT    send 200 kB, shut down writing, check the answer
  rstserver PORT [BIND]   accept one connection, reset it (SO_LINGER 0)
  rstclient HOST PORT     connect, expect the peer to reset the connection
  connect HOST PORT       exit 0 if connected, 3 if refused, 4 on other
                          errors ("host unreachable": ICMP from passt)
  peerserver PORT [BIND]  accept one connection, send the peer's address
  peerclient HOST PORT    print what the server sends
  holdserver PORT [BIND]  read to EOF, then keep the connection open, quiet
  finclient HOST PORT     send a byte, shut down writing, expect the FIN
                          acknowledged while the peer stays open
                          (FIN-WAIT-2) within 5 s
Servers serve a single connection, then exit.
"""

import errno
import hashlib
import socket
import struct
import sys
import threading
import time

TAIL = bytes(range(256)) * 4096       # 1 MiB
TCP_FIN_WAIT2 = 5                       # tcpi_state, include/net/tcp_states.h


def listen(port, bind):
    fam = socket.AF_INET6 if (bind is None or ":" in bind) else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((bind or "::", port))
    s.listen()
    s.settimeout(30)
    c, peer = s.accept()
    c.settimeout(30)
    return c, peer


def connect(host, port):
    return socket.create_connection((host, port), timeout=30)


def recv_all(c):
    buf = bytearray()
    while True:
        d = c.recv(65536)
        if not d:
            return bytes(buf)
        buf += d


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    bind = args[1] if len(args) > 1 else None
    if cmd == "halfserver":
        c, _ = listen(int(args[0]), bind)
        got = recv_all(c)
        c.sendall(hashlib.sha256(got).hexdigest().encode() + b"\n" + TAIL)
        c.close()
    elif cmd == "halfclient":
        c = connect(args[0], int(args[1]))
        data = bytes((i * 7) & 0xff for i in range(200000))
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        got = recv_all(c)
        want = hashlib.sha256(data).hexdigest().encode() + b"\n" + TAIL
        if got != want:
            print(f"answer of {len(got)} bytes differs", file=sys.stderr)
            return 1
    elif cmd == "rstserver":
        c, _ = listen(int(args[0]), bind)
        c.recv(100)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()
    elif cmd == "rstclient":
        try:
            c = connect(args[0], int(args[1]))
            c.sendall(b"hello")
            d = c.recv(100)
            print(f"no reset, read {d!r}", file=sys.stderr)
            return 1
        except ConnectionResetError:
            return 0
    elif cmd == "connect":
        try:
            connect(args[0], int(args[1])).close()
        except ConnectionRefusedError:
            print("connection refused")
            return 3
        except OSError as e:
            if e.errno == errno.EHOSTUNREACH:
                print("host unreachable")
            elif e.errno == errno.ENETUNREACH:
                print("network unreachable")
            else:
                print(e.strerror)
            return 4
    elif cmd == "peerserver":
        c, peer = listen(int(args[0]), bind)
        addr = peer[0]
        if addr.startswith("::ffff:"):
            addr = addr[7:]
        c.sendall(addr.encode())
        c.close()
    elif cmd == "peerclient":
        c = connect(args[0], int(args[1]))
        print(recv_all(c).decode())
    elif cmd == "holdserver":
        c, _ = listen(int(args[0]), bind)
        recv_all(c)
        threading.Event().wait(60)      # until the test ends it
    elif cmd == "finclient":
        c = connect(args[0], int(args[1]))
        c.sendall(b"x")
        c.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + 5
        state = None
        while time.monotonic() < deadline:
            state = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
            if state == TCP_FIN_WAIT2:
                return 0
            time.sleep(0.01)
        print(f"TCP state {state}, not FIN-WAIT-2", file=sys.stderr)
        return 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
