#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""JSON-RPC 2.0 subscription server for tests, built on Python websockets (10.4 on Debian 12).

It speaks the subscription convention of Ethereum nodes and listens on
127.0.0.1 only. It prints "PORT <n>" on stdout once it accepts connections.

- eth_subscribe with params [TOPIC, ...] replies with a new subscription id,
  a random hex string that no other subscription of this or an earlier run
  has, and then sends an eth_subscription notification every --interval ms:
  {"jsonrpc": "2.0", "method": "eth_subscription",
   "params": {"subscription": ID,
              "result": {"topic": TOPIC, "counter": N, "subscription": ID}}}
  N counts from 1 for each subscription.
- eth_unsubscribe with params [ID] stops those notifications and replies
  true, or false when the connection has no subscription with that id.
- Any other method gets error -32601, a request that is not JSON gets
  -32700, and one that is not a request object gets -32600.

Every request is appended to the --record file as one JSON object per line
and flushed at once, so a test can count the subscribe requests of each
connection. SIGTERM ends the process without a close frame, which clients
see as a dropped connection (close code 1006). Started again with --port,
the server listens on the same port and hands out new subscription ids.
"""

import argparse
import asyncio
import itertools
import json
import secrets
import sys

import websockets

HOST = "127.0.0.1"

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port to listen on, or 0 for a free one (default 0)")
    parser.add_argument("--interval", type=int, default=100, metavar="MS",
                        help="delay between two notifications of one subscription, "
                             "in milliseconds (default 100)")
    parser.add_argument("--record", metavar="PATH",
                        help="file that every received request is appended to, "
                             "one JSON object per line")
    parser.add_argument("--lifetime", type=float, default=300, metavar="SECONDS",
                        help="exit after this many seconds if nobody stopped the server "
                             "(default 300)")
    return parser.parse_args()


class Recorder:
    """Appends received requests to a file with the connection number."""

    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8") if path else None

    def record(self, connection, text):
        if self.file is None:
            return
        self.file.write(json.dumps({"connection": connection, "request": text}) + "\n")
        self.file.flush()


def error_reply(request_id, code, message):
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def result_reply(request_id, result):
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


async def notify(websocket, subscription_id, topic, interval):
    """Send a notification with a counter every interval ms until cancelled."""
    for counter in itertools.count(1):
        await websocket.send(json.dumps({
            "jsonrpc": "2.0",
            "method": "eth_subscription",
            "params": {
                "subscription": subscription_id,
                "result": {"topic": topic, "counter": counter, "subscription": subscription_id},
            },
        }))
        await asyncio.sleep(interval / 1000)


class Connection:
    """The subscriptions of one WebSocket connection."""

    def __init__(self, websocket, interval):
        self.websocket = websocket
        self.interval = interval
        self.tasks = {}
        # Subscriptions whose reply is not sent yet, as (id, topic) pairs.
        # Their notifications start after the reply, so the client always
        # learns the id first.
        self.pending = []

    def subscribe(self, request_id, params):
        if not isinstance(params, list) or not params or not isinstance(params[0], str):
            return error_reply(request_id, INVALID_PARAMS,
                               "eth_subscribe expects params [TOPIC, ...]")
        subscription_id = "0x" + secrets.token_hex(8)
        self.pending.append((subscription_id, params[0]))
        return result_reply(request_id, subscription_id)

    def start_pending(self):
        for subscription_id, topic in self.pending:
            self.tasks[subscription_id] = asyncio.create_task(
                notify(self.websocket, subscription_id, topic, self.interval))
        self.pending.clear()

    def unsubscribe(self, request_id, params):
        if not isinstance(params, list) or len(params) != 1 or not isinstance(params[0], str):
            return error_reply(request_id, INVALID_PARAMS,
                               "eth_unsubscribe expects params [SUBSCRIPTION_ID]")
        task = self.tasks.pop(params[0], None)
        if task is None:
            return result_reply(request_id, False)
        task.cancel()
        return result_reply(request_id, True)

    def handle(self, text):
        try:
            request = json.loads(text)
        except ValueError:
            return error_reply(None, PARSE_ERROR, "the request is not valid JSON")
        if not isinstance(request, dict) or request.get("jsonrpc") != "2.0" \
                or not isinstance(request.get("method"), str):
            return error_reply(None, INVALID_REQUEST, "the request is not a JSON-RPC 2.0 request")

        request_id = request.get("id")
        method = request["method"]
        params = request.get("params", [])
        if method == "eth_subscribe":
            return self.subscribe(request_id, params)
        if method == "eth_unsubscribe":
            return self.unsubscribe(request_id, params)
        return error_reply(request_id, METHOD_NOT_FOUND, f"unknown method {method!r}")

    def close(self):
        for task in self.tasks.values():
            task.cancel()


async def serve(args):
    recorder = Recorder(args.record)
    connection_numbers = itertools.count(1)

    async def handle(websocket):
        number = next(connection_numbers)
        connection = Connection(websocket, args.interval)
        try:
            async for message in websocket:
                if isinstance(message, bytes):
                    message = message.decode("utf-8", errors="replace")
                recorder.record(number, message)
                await websocket.send(json.dumps(connection.handle(message)))
                connection.start_pending()
        except websockets.ConnectionClosed:
            pass
        finally:
            connection.close()

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
