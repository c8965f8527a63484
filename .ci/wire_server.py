"""A mongoeco wire-protocol server (SQLite engine) for the MongoDB CI job: serves until SIGTERM; writes its URI to a file once ready.

Run with the Python 3.13 venv that holds `mongoeco[wire]` (see .ci/run); the app and the tests talk to it
with pymongo over a socket, exactly as to mongod.
"""
import argparse
import asyncio
import signal
from pathlib import Path

from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer


async def serve(path: str, port: int, uri_file: str) -> None:
    server = AsyncMongoEcoProxyServer(engine=SQLiteEngine(path), port=port)
    address = await server.start()
    Path(uri_file + ".part").write_text(address.uri)
    Path(uri_file + ".part").rename(uri_file)  # the file appears whole
    print(address.uri, flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default=":memory:")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--uri-file", required=True)
    options = parser.parse_args()
    asyncio.run(serve(options.path, options.port, options.uri_file))
