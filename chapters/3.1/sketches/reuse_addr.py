"""3.1.4 Why the original sets SO_REUSEADDR before bind().

A server that closes a connection first keeps that connection's end in TIME_WAIT for a
while (about a minute on Linux). Binding the same port again then fails, unless the new
socket sets SO_REUSEADDR.

Run: python3 chapters/3.1/sketches/reuse_addr.py
"""
import errno
import socket

HOST = "127.0.0.1"


def serve_one_connection_and_stop():
    """Listens, accepts one client, closes it first (so our end enters TIME_WAIT), stops."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, 0))
    server.listen(1)
    port = server.getsockname()[1]
    client = socket.create_connection((HOST, port))
    conn, _ = server.accept()
    conn.close()  # the server hangs up first
    client.recv(1)  # the client sees the end of the stream
    client.close()
    server.close()
    return port


def try_bind(port, reuse):
    sock = socket.socket()
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(1)
        return "bound"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))
    finally:
        sock.close()


if __name__ == "__main__":
    port = serve_one_connection_and_stop()
    print("without SO_REUSEADDR:", try_bind(port, reuse=False))
    print("with SO_REUSEADDR:   ", try_bind(port, reuse=True))
