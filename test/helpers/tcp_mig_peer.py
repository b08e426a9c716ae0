#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Both ends of TCP connections that carry data both ways at a steady pace,
for tests that disturb the path while data flows (live migration).

Each connection sends BYTES of random data, paced at an equal share of
RATE bytes per second for all connections together, then shuts its
sending side down, and reads until the other side does the same. The
connecting side starts its data with a 4-byte connection number, so that
both sides name each connection alike. At the end, one line per
connection:

  conn N sent LEN SHA256 recv LEN SHA256 err ERROR

(ERROR: "none", "ECONNRESET", ..., or "timeout" for a connection still
open at the deadline or at SIGTERM), then "done". When every connection
has sent and received FLOWING bytes, it prints "flowing" (the test's
cue).

With HOLD, a file: while it exists, connections send half of their data
only, and "held" is printed once every one sent and received its half.

Usage: tcp_mig_peer.py listen ADDR PORT CONNS BYTES RATE DEADLINE [HOLD]
       tcp_mig_peer.py connect ADDR PORT CONNS BYTES RATE DEADLINE [HOLD]
"""

import errno
import hashlib
import os
import selectors
import signal
import socket
import struct
import sys
import time

FLOWING = 32768
CHUNK = 16384
stopped = []


class Conn:
    """One connection: what it sent and received, and how it ended"""

    def __init__(self, s, num, nbytes, connector):
        self.s = s
        self.num = num
        self.out = os.urandom(nbytes)
        if connector:
            self.out = struct.pack('!I', num) + self.out[4:]
        self.sent = 0
        self.rx = hashlib.sha256()
        self.rx_len = 0
        self.rx_head = b''
        self.eof = False
        self.err = None
        s.setblocking(False)

    def done(self):
        return self.err or (self.eof and self.sent == len(self.out))


def connect(addr, port, deadline):
    """Connect, trying again on a refusal until the deadline: the first
    connection of a fresh namespace was seen refused, rarely, before any
    migration (this tests what happens to connections, not their setup)"""
    while True:
        try:
            return socket.create_connection((addr, port), timeout=10)
        except ConnectionRefusedError:
            if time.monotonic() > deadline - 5:
                raise
            print('connect: refused, trying again', flush=True)
            time.sleep(0.1)


def open_conns(mode, addr, port, n, nbytes, deadline):
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    conns = []
    if mode == 'listen':
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(n + 16)
        print('listening', flush=True)
        ls.settimeout(max(deadline - time.monotonic(), 0.1))
        for _ in range(n):
            s, _ = ls.accept()
            conns.append(Conn(s, None, nbytes, False))
        ls.close()
    else:
        for i in range(n):
            conns.append(Conn(connect(addr, port, deadline), i, nbytes,
                              True))
    return conns


def run(conns, rate, deadline, hold):
    sel = selectors.DefaultSelector()
    for c in conns:
        sel.register(c.s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    start = time.monotonic()
    share = rate / len(conns)
    flowing = held = False
    half = len(conns[0].out) // 2
    while time.monotonic() < deadline and not stopped:
        if all(c.done() for c in conns):
            break
        allowed = int(share * (time.monotonic() - start))
        holding = hold and os.path.exists(hold)
        busy = False
        for key, ev in sel.select(0.05):
            c = key.data
            if ev & selectors.EVENT_READ and not c.eof and not c.err:
                try:
                    d = c.s.recv(65536)
                except BlockingIOError:
                    d = None
                except OSError as e:
                    c.err = errno.errorcode.get(e.errno, str(e))
                    d = None
                if d == b'':
                    c.eof = True
                elif d:
                    busy = True
                    if len(c.rx_head) < 4:
                        c.rx_head += d[:4 - len(c.rx_head)]
                    c.rx.update(d)
                    c.rx_len += len(d)
            budget = allowed - c.sent
            if holding:
                budget = min(budget, half - c.sent)
            if (ev & selectors.EVENT_WRITE and not c.err and
                    c.sent < len(c.out) and budget > 0):
                n = min(CHUNK, budget, len(c.out) - c.sent)
                try:
                    n = c.s.send(c.out[c.sent:c.sent + n])
                except BlockingIOError:
                    n = 0
                except OSError as e:
                    c.err = errno.errorcode.get(e.errno, str(e))
                    n = 0
                c.sent += n
                busy = busy or n > 0
                if c.sent == len(c.out):
                    try:
                        c.s.shutdown(socket.SHUT_WR)
                    except OSError as e:
                        c.err = errno.errorcode.get(e.errno, str(e))
            if c.done() or (c.sent == len(c.out) and not c.eof):
                want = selectors.EVENT_READ
                if c.done():
                    sel.unregister(c.s)
                else:
                    sel.modify(c.s, want, c)
        if not flowing and all(min(c.sent, c.rx_len) >= FLOWING or
                               c.done() for c in conns):
            flowing = True
            print('flowing', flush=True)
        if (hold and not held and
                all(min(c.sent, c.rx_len) >= half for c in conns)):
            held = True
            print('held', flush=True)
        if not busy:
            time.sleep(0.002)  # writable, but paced or held: don't spin


def main():
    mode, addr = sys.argv[1], sys.argv[2]
    port, n, nbytes = (int(a) for a in sys.argv[3:6])
    rate, limit = float(sys.argv[6]), float(sys.argv[7])
    deadline = time.monotonic() + limit
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(1))
    conns = open_conns(mode, addr, port, n, nbytes, deadline)
    print(f'connected {len(conns)}', flush=True)
    run(conns, rate, deadline, sys.argv[8] if len(sys.argv) > 8 else None)
    for c in conns:
        num = c.num
        if num is None:
            num = struct.unpack('!I', c.rx_head)[0] \
                if len(c.rx_head) == 4 else -1
        err = c.err or ('none' if c.done() else 'timeout')
        print(f'conn {num} sent {c.sent} '
              f'{hashlib.sha256(c.out[:c.sent]).hexdigest()} '
              f'recv {c.rx_len} {c.rx.hexdigest()} err {err}', flush=True)
    print('done', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
