#!/usr/bin/env python3
"""Listens on the given TCP ports (all addresses) and accepts and closes every
connection, so a connect sweep never fills a backlog. Runs until killed.
Writes READY to stdout once every socket listens."""
import selectors
import socket
import sys


def main() -> int:
    ports = [int(p) for p in sys.argv[1:]]
    sel = selectors.DefaultSelector()
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.listen(65535)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    print("READY", flush=True)
    while True:
        for key, _ in sel.select():
            for _ in range(256):
                try:
                    conn, _ = key.fileobj.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break
                conn.close()


if __name__ == "__main__":
    sys.exit(main())
