#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""WebSocket feed server for tests, built on Python websockets (10.4 on Debian 12).

It listens on 127.0.0.1 only and prints "PORT <n>" on stdout once it accepts
connections. Each client gets its own feed of text messages "msg 1", "msg 2", …
at a fixed interval. Every text message a client sends is appended to the
--record file, one per line, and flushed at once, so a test can read the file
while the server runs and after it is killed.

SIGTERM ends the process without a close frame, which clients see as a dropped
connection (close code 1006), as after a crash. Started again with --port and
the same --record file, the server continues the record.
"""

import argparse
import asyncio
import sys

import websockets

HOST = "127.0.0.1"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port to listen on, or 0 for a free one (default 0)")
    parser.add_argument("--record", metavar="PATH",
                        help="file that every received text message is appended to")
    parser.add_argument("--interval", type=int, default=50, metavar="MS",
                        help="delay between two feed messages, in milliseconds (default 50)")
    parser.add_argument("--lifetime", type=float, default=300, metavar="SECONDS",
                        help="exit after this many seconds if nobody stopped the server "
                             "(default 300)")
    return parser.parse_args()


class Recorder:
    """Appends received text messages to a file, one per line."""

    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8") if path else None

    def record(self, text):
        if self.file is None:
            return
        self.file.write(text + "\n")
        self.file.flush()


async def send_feed(websocket, interval):
    number = 0
    try:
        while True:
            number += 1
            await websocket.send(f"msg {number}")
            await asyncio.sleep(interval / 1000)
    except websockets.ConnectionClosed:
        pass


async def receive_into(websocket, recorder):
    async for message in websocket:
        if isinstance(message, str):
            recorder.record(message)


async def serve(args):
    recorder = Recorder(args.record)

    async def handle(websocket):
        feed = asyncio.create_task(send_feed(websocket, args.interval))
        try:
            await receive_into(websocket, recorder)
        except websockets.ConnectionClosed:
            pass
        finally:
            feed.cancel()

    # asyncio sets SO_REUSEADDR on Unix (Python docs, loop.create_server), so
    # a restarted server can bind the port again while connections of the
    # killed one are still in TIME_WAIT.
    async with websockets.serve(handle, HOST, args.port) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.sleep(args.lifetime)


def main():
    args = parse_args()
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
