#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""An exchange-style JSON feed on 127.0.0.1 for data/examples/ticker.conf.

It confirms each {"op":"subscribe","id":N,"args":[TOPIC]} with {"id":N},
then sends {"topic":TOPIC,"data":{...}} for each subscribed topic every
200 ms, and replies to {"op":"ping"} with {"op":"pong"}. It prints
"PORT <n>" once it listens.
"""

import argparse
import asyncio
import json
import random

import websockets


async def feed(websocket):
    topics = []

    async def send_trades():
        price = 64000.0
        while True:
            await asyncio.sleep(0.2)
            for topic in list(topics):
                price += random.uniform(-5, 5)
                trade = {"price": f"{price:.1f}", "size": f"{random.uniform(0.001, 0.5):.3f}"}
                await websocket.send(json.dumps({"topic": topic, "data": trade}))

    sender = asyncio.ensure_future(send_trades())
    try:
        async for text in websocket:
            try:
                request = json.loads(text)
            except ValueError:
                continue
            if request.get("op") == "subscribe":
                topics.extend(request.get("args", []))
                await websocket.send(json.dumps({"id": request.get("id")}))
            elif request.get("op") == "unsubscribe":
                for topic in request.get("args", []):
                    if topic in topics:
                        topics.remove(topic)
                await websocket.send(json.dumps({"id": request.get("id")}))
            elif request.get("op") == "ping":
                await websocket.send(json.dumps({"op": "pong"}))
    except websockets.ConnectionClosed:
        pass
    finally:
        sender.cancel()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args()

    async with websockets.serve(feed, "127.0.0.1", args.port) as server:
        print("PORT", server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
