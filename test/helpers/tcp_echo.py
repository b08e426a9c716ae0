#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcp_echo.py - Test helper: request/response traffic with content checks.

  tcp_echo.py server PORT [BIND]   serve until killed: every request is a
                                   4-byte big-endian length and a payload,
                                   answered with the payload reversed
  tcp_echo.py client HOST PORT CONNS MSGS [SEED]
                                   open CONNS connections at once, send MSGS
                                   requests of random sizes on each (several
                                   small writes per request), check every
                                   answer; exit 0 only if all were right
"""

import asyncio
import random
import struct
import sys


async def serve_conn(reader, writer):
    try:
        while True:
            hdr = await reader.readexactly(4)
            (n,) = struct.unpack("!I", hdr)
            data = await reader.readexactly(n)
            writer.write(hdr + data[::-1])
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def server(port, bind):
    srv = await asyncio.start_server(serve_conn, bind, port, backlog=4096,
                                     reuse_address=True)
    async with srv:
        await srv.serve_forever()


async def client_conn(host, port, msgs, rnd, sem):
    async with sem:
        reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(msgs):
            data = rnd.randbytes(rnd.randint(1, 3000))
            msg = struct.pack("!I", len(data)) + data
            # Interleave small writes, so segments get split and merged
            pos = 0
            while pos < len(msg):
                step = rnd.randint(1, 700)
                writer.write(msg[pos:pos + step])
                await writer.drain()
                pos += step
            hdr = await reader.readexactly(4)
            (n,) = struct.unpack("!I", hdr)
            if n != len(data):
                return False
            if await reader.readexactly(n) != data[::-1]:
                return False
        return True
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass


async def client(host, port, conns, msgs, seed):
    sem = asyncio.Semaphore(256)    # bounded connect() burst
    tasks = [client_conn(host, port, msgs, random.Random(seed + i), sem)
             for i in range(conns)]
    res = await asyncio.gather(*tasks, return_exceptions=True)
    good = sum(1 for r in res if r is True)
    for r in res:
        if r is not True:
            print("error:", repr(r), file=sys.stderr)
            break
    print(f"{good}/{conns} connections correct")
    return good == conns


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "server":
        bind = sys.argv[3] if len(sys.argv) > 3 else None
        asyncio.run(server(int(sys.argv[2]), bind))
        return 0
    if len(sys.argv) >= 6 and sys.argv[1] == "client":
        seed = int(sys.argv[6]) if len(sys.argv) > 6 else 1
        ok = asyncio.run(asyncio.wait_for(
            client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                   int(sys.argv[5]), seed), 120))
        return 0 if ok else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
