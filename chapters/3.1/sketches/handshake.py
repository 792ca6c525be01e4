"""3.1.3 The original chapter's handshake(), written afresh for Python 3.

The same steps (read the request, find the key, answer 101), with four changes real
clients need: read until the blank line, look header names up in any letter case, accept
"Name:value" without a space, and answer a request that is not a handshake with a status
(here one 400, for a method other than GET or a key that is not 24 characters ending "==").

Run: python3 chapters/3.1/sketches/handshake.py
"""
import socket

from accept_key import accept_key

MAX_HEAD = 8192


# #region read-head
def read_head(conn):
    """Returns (head, rest): the request head, and any bytes that came after it."""
    data = b""
    while b"\r\n\r\n" not in data:  # one recv() may hold only part of the head
        chunk = conn.recv(1024)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        data += chunk
        if len(data) > MAX_HEAD:
            raise ValueError("request head over 8 KiB")
    head, rest = data.split(b"\r\n\r\n", 1)
    return head, rest
# #endregion read-head


def parse_headers(head):
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")  # the space after ":" is optional
        headers[name.strip().lower()] = value.strip()  # header names ignore case
    return lines[0], headers


def handshake(conn):
    """Answers one upgrade request; returns the bytes that followed it (maybe a frame)."""
    head, rest = read_head(conn)
    request_line, headers = parse_headers(head)
    key = headers.get("sec-websocket-key", "")
    if not request_line.startswith("GET ") or len(key) != 24 or not key.endswith("=="):
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        raise ValueError("not a WebSocket handshake")
    conn.sendall(
        (
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept_key(key)}\r\n\r\n"
        ).encode("ascii")
    )
    return rest


if __name__ == "__main__":
    server_end, client_end = socket.socketpair()  # a connected pair: no port needed
    request = (
        b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nsec-websocket-key:dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    client_end.sendall(request[:40])  # the head arrives in two pieces
    client_end.sendall(request[40:])
    handshake(server_end)
    print(client_end.recv(1024).decode("ascii"), end="")
