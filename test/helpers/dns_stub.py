#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for a host's stub resolver, and a client to query it.

  dns_stub.py serve ADDR ANSWER LOG
      Answer every A query on ADDR port 53, over UDP and TCP, with one
      record of address ANSWER (other types: no data). Each query is logged
      to LOG as "udp|tcp NAME"; LOG is created (empty) once both sockets
      listen.
  dns_stub.py query [--tcp] [--server ADDR] NAME
      Ask for the A record of NAME, of the first nameserver of
      /etc/resolv.conf (or ADDR), print "ANSWER from SOURCE". Exit 1 on
      timeout or a malformed reply.
"""

import os
import select
import socket
import struct
import sys

TYPE_A = 1
CLASS_IN = 1
HDR = struct.Struct("!HHHHHH")
TIMEOUT_SEC = 5


def parse_question(msg):
    """Return (id, flags, qname text, qtype, end of question) or None"""
    if len(msg) < HDR.size:
        return None
    qid, flags, qdcount, _, _, _ = HDR.unpack_from(msg)
    if qdcount != 1:
        return None
    off, labels = HDR.size, []
    while True:
        if off >= len(msg):
            return None
        n = msg[off]
        off += 1
        if n == 0:
            break
        if n > 63 or off + n > len(msg):
            return None
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    if off + 4 > len(msg):
        return None
    qtype, _ = struct.unpack_from("!HH", msg, off)
    return qid, flags, ".".join(labels), qtype, off + 4


def answer(msg, addr):
    """Reply to query msg: an A record of addr, nothing for other types"""
    q = parse_question(msg)
    if not q:
        return None
    qid, flags, _, qtype, end = q
    an = 1 if qtype == TYPE_A else 0
    # QR, RD copied, RA
    hdr = HDR.pack(qid, 0x8080 | (flags & 0x0100), 1, an, 0, 0)
    out = hdr + msg[HDR.size:end]
    if an:
        out += struct.pack("!HHHIH", 0xc000 | HDR.size, TYPE_A, CLASS_IN,
                           60, 4) + socket.inet_aton(addr)
    return out


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve(addr, ans, log):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((addr, 53))
    t = socket.socket(fam, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, 53))
    t.listen(16)
    logf = open(log, "a", buffering=1)
    while True:
        r, _, _ = select.select([u, t], [], [])
        if u in r:
            msg, peer = u.recvfrom(4096)
            rep = answer(msg, ans)
            q = parse_question(msg)
            logf.write("udp %s\n" % (q[2] if q else "?"))
            if rep:
                u.sendto(rep, peer)
        if t in r:
            c, _ = t.accept()
            c.settimeout(TIMEOUT_SEC)
            try:
                while True:
                    ln = recv_exact(c, 2)
                    if not ln:
                        break
                    msg = recv_exact(c, struct.unpack("!H", ln)[0])
                    if msg is None:
                        break
                    q = parse_question(msg)
                    logf.write("tcp %s\n" % (q[2] if q else "?"))
                    rep = answer(msg, ans)
                    if rep:
                        c.sendall(struct.pack("!H", len(rep)) + rep)
            except OSError:
                pass
            c.close()


def first_nameserver():
    with open("/etc/resolv.conf") as f:
        for line in f:
            tok = line.split()
            if len(tok) >= 2 and tok[0] == "nameserver":
                return tok[1]
    return None


def query(args):
    tcp = "--tcp" in args
    args = [a for a in args if a != "--tcp"]
    server = None
    if args[0] == "--server":
        server, args = args[1], args[2:]
    server = server or first_nameserver()
    name = args[0]
    addr = socket.getaddrinfo(server, 53, 0, socket.SOCK_DGRAM)[0]
    fam, sa = addr[0], addr[4]
    q = HDR.pack(0x4242, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", TYPE_A, CLASS_IN)
    if tcp:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT_SEC)
        s.connect(sa)
        s.sendall(struct.pack("!H", len(q)) + q)
        ln = recv_exact(s, 2)
        rep = recv_exact(s, struct.unpack("!H", ln)[0]) if ln else None
        src = s.getpeername()[0]
    else:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT_SEC)
        s.sendto(q, sa)
        rep, peer = s.recvfrom(4096)
        src = peer[0]
    if not rep or len(rep) < len(q) + 16:
        return 1
    qid, flags, _, ancount, _, _ = HDR.unpack_from(rep)
    if qid != 0x4242 or not flags & 0x8000 or ancount != 1:
        return 1
    print("%s from %s" % (socket.inet_ntoa(rep[-4:]), src.split("%")[0]))
    return 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 3 and sys.argv[1] == "query":
        try:
            sys.exit(query(sys.argv[2:]))
        except (OSError, IndexError, struct.error) as e:
            print("query failed: %s" % e, file=sys.stderr)
            sys.exit(1)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
