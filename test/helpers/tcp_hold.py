#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcp_hold.py - Test helper: many TCP connections held open at once.

  tcp_hold.py server PORT          serve until killed: echo every byte, keep
                                   every connection until the peer closes it
  tcp_hold.py client HOST PORT N [HOLD]
                                   open N connections (a few hundred set-ups
                                   in flight at a time), exchange one byte on
                                   each, keep them all open for HOLD seconds
                                   (default 0), close them; prints
                                   "held A refused B failed C" (refused: RST
                                   in answer to the SYN) and exits 0 if no
                                   connection failed any other way
"""

import asyncio
import sys

INFLIGHT = 256
TIMEOUT = 20


async def serve_conn(reader, writer):
    try:
        while True:
            data = await reader.read(64)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def server(port):
    srv = await asyncio.start_server(serve_conn, None, port, backlog=4096,
                                     reuse_address=True)
    async with srv:
        await srv.serve_forever()


async def open_one(host, port, sem, held, counts):
    async with sem:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), TIMEOUT)
        except ConnectionRefusedError:
            counts["refused"] += 1
            return
        except (OSError, asyncio.TimeoutError):
            counts["failed"] += 1
            return
        try:
            writer.write(b"x")
            data = await asyncio.wait_for(reader.readexactly(1), TIMEOUT)
        except (OSError, asyncio.TimeoutError,
                asyncio.IncompleteReadError):
            counts["failed"] += 1
            writer.close()
            return
        if data != b"x":
            counts["failed"] += 1
            writer.close()
            return
        held.append(writer)


async def client(host, port, n, hold):
    sem = asyncio.Semaphore(INFLIGHT)
    held = []
    counts = {"refused": 0, "failed": 0}
    await asyncio.gather(*(open_one(host, port, sem, held, counts)
                           for _ in range(n)))
    print(f"held {len(held)} refused {counts['refused']} "
          f"failed {counts['failed']}", flush=True)
    await asyncio.sleep(hold)
    for w in held:
        w.close()
    return 0 if not counts["failed"] else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "server":
        asyncio.run(server(int(sys.argv[2])))
        return 0
    if len(sys.argv) in (5, 6) and sys.argv[1] == "client":
        hold = float(sys.argv[5]) if len(sys.argv) == 6 else 0
        return asyncio.run(client(sys.argv[2], int(sys.argv[3]),
                                  int(sys.argv[4]), hold))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
