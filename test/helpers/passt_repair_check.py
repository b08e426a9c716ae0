#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Stand in for passt on a repair socket and drive passt-repair.

Listens on SOCKET, starts HELPER (passt-repair) against it, then sends
it a live loopback TCP socket with "repair on" and "repair off"
(repair_proto.h: one command byte, the sockets as SCM_RIGHTS, one reply
byte), checking the reply and, through getsockopt(TCP_REPAIR) on our own
descriptor of the same socket, that the kernel took the command. A
listening socket, which can't be put in repair mode, must get an error
reply rather than a success.

Usage: passt_repair_check.py HELPER SOCKET
Prints PASS/FAIL lines named passt_repair_helper_*.
"""

import os
import socket
import subprocess
import sys

TCP_REPAIR = 19
CMD_OFF, CMD_ON, REPLY_ERR = 0, 1, 0x80


def result(name, ok, why=""):
    if ok:
        print(f"PASS: passt_repair_helper_{name}")
    else:
        print(f"FAIL: passt_repair_helper_{name}: {why}")


def command(conn, cmd, fd):
    """Send one command with one socket, return the reply byte or None"""
    conn.sendmsg([bytes([cmd])], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                    fd.to_bytes(4, sys.byteorder))])
    reply = conn.recv(1)
    return reply[0] if reply else None


def main():
    helper, path = sys.argv[1], sys.argv[2]
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    srv.settimeout(10)
    proc = subprocess.Popen([helper, path])
    try:
        conn, _ = srv.accept()
    except OSError as e:
        result("connects", False, f"no connection from the helper: {e}")
        proc.kill()
        return
    result("connects", True)
    conn.settimeout(10)

    lst = socket.create_server(("127.0.0.1", 0))
    cli = socket.create_connection(lst.getsockname())
    peer, _ = lst.accept()

    reply = command(conn, CMD_ON, cli.fileno())
    state = cli.getsockopt(socket.IPPROTO_TCP, TCP_REPAIR)
    result("repair_on", reply == CMD_ON and state == 1,
           f"reply {reply}, TCP_REPAIR now {state}")

    reply = command(conn, CMD_OFF, cli.fileno())
    state = cli.getsockopt(socket.IPPROTO_TCP, TCP_REPAIR)
    result("repair_off", reply == CMD_OFF and state == 0,
           f"reply {reply}, TCP_REPAIR now {state}")

    # Back to normal service: data moves both ways
    cli.sendall(b"ping")
    peer.settimeout(5)
    got = peer.recv(4)
    result("socket_works_after", got == b"ping", f"peer got {got!r}")

    reply = command(conn, CMD_ON, lst.fileno())
    result("refuses_listener", reply is not None and reply & REPLY_ERR,
           f"reply {reply}")

    conn.close()
    try:
        proc.wait(timeout=10)
        result("exits_with_passt", True)
    except subprocess.TimeoutExpired:
        proc.kill()
        result("exits_with_passt", False, "still running 10 s after close")
    srv.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
