"""3.1.4 The original chapter's start_service(), written afresh for Python 3: an echo server.

One connection at a time, like the original (chapter 3.2 adds threads). No fragments,
no UTF-8 check, no size limit: the TypeScript server on one page has those.

Run: python3 chapters/3.1/sketches/server.py --port 0
"""
import argparse
import socket
import struct

from handshake import handshake
from recv_frame import parse_frame
from send_frame import encode_frame


def serve(conn):
    buffered = handshake(conn)
    while True:
        try:
            frame = parse_frame(buffered)
        except ValueError:
            conn.sendall(encode_frame(struct.pack("!H", 1002), 0x8))  # close: protocol error
            return
        if frame is None:  # not a whole frame yet: read more
            chunk = conn.recv(4096)
            if not chunk:
                return
            buffered += chunk
            continue
        fin, opcode, payload, size = frame
        buffered = buffered[size:]  # keep what belongs to the next frame
        if opcode == 0x8:  # close: answer with the same code, then hang up
            conn.sendall(encode_frame(payload[:2], 0x8))
            return
        if opcode == 0x9:  # ping: answer with a pong carrying the same data
            conn.sendall(encode_frame(payload, 0xA))
        elif opcode in (0x1, 0x2):  # text or binary: echo it as it came
            conn.sendall(encode_frame(payload, opcode))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1234)
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Without this, a restart fails with "Address already in use" while the last
    # connection's end waits out TIME_WAIT (see reuse_addr.py).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(1)  # backlog: connections the kernel holds for us until accept() takes them
    print(f"listening on ws://{args.host}:{sock.getsockname()[1]}/", flush=True)
    while True:
        conn, address = sock.accept()  # accept() waits by itself: no sleep needed
        with conn:
            try:
                serve(conn)
            except (ValueError, ConnectionError) as error:
                print(f"dropped {address[0]}:{address[1]}: {error}", flush=True)


if __name__ == "__main__":
    main()
