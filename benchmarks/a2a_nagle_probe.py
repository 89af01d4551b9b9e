"""Why a served A2A agent must turn Nagle's algorithm off: a streamed reply on a kept-alive
connection, with the listening socket made as ``a2a._server._bind`` made it before (protocol
0: asyncio then leaves ``TCP_NODELAY`` off on accepted sockets) and as it makes it now.

Each request gets headers and three small events written one by one, like an SSE reply; the
median round trip of 25 requests is printed for both sockets.

Example:
    $ python benchmarks/a2a_nagle_probe.py
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ascope_nb.a2a._server import _bind  # noqa: E402


def old_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # protocol 0, as before
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    return sock


async def round_trips(sock: socket.socket, n: int = 25) -> float:
    """Median ms of ``n`` request/streamed-reply round trips on one connection."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.readline():
            writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
            await asyncio.sleep(0)
            for i in range(3):
                writer.write(b"data: %d\n\n" % i)
                await asyncio.sleep(0)
            writer.write(b"END\n")
        writer.close()

    server = await asyncio.start_server(handle, sock=sock)
    reader, writer = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
    times = []
    for _ in range(n + 5):
        started = time.perf_counter()
        writer.write(b"request\n")
        while await reader.readline() != b"END\n":
            pass
        times.append((time.perf_counter() - started) * 1e3)
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    return statistics.median(times[5:])


async def main() -> None:
    before = await round_trips(old_socket())
    after = await round_trips(_bind("127.0.0.1", 0, "probe"))
    print(
        f"streamed reply on a kept-alive connection: protocol-0 socket {before:.2f} ms, "
        f"served socket now (IPPROTO_TCP, TCP_NODELAY) {after:.2f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
