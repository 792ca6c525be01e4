"""3.2.5 One thread per connection: the original's Th server, with the missing pieces put in.

A line server instead of a WebSocket one, so the threads stay in view: each connection gets a
thread that is started (the original forgets start()), blocks in recv() with a timeout instead
of polling every second, and tells a closed connection (recv() returns b"") from a quiet one.

Run: python3 thread_per_connection.py [port, default 0]  then: nc 127.0.0.1 PORT
"""
import socket
import sys
import threading

IDLE_SECONDS = 10  # the original closes after ten quiet one-second polls


def serve(conn, address):
    name = threading.current_thread().name
    conn.settimeout(IDLE_SECONDS)
    with conn:
        pending = b""
        while True:
            try:
                data = conn.recv(1024)
            except TimeoutError:
                break  # quiet for IDLE_SECONDS
            except OSError:
                break  # reset or otherwise broken: a real error, not "no data"
            if not data:
                break  # b"": the client closed its end
            pending += data
            while b"\n" in pending:  # one recv() may hold part of a line or several lines
                line, pending = pending.split(b"\n", 1)
                conn.sendall(f"{name}: {line.decode(errors='replace').upper()}\n".encode())
            if pending:  # a read that ends inside a line: the rest comes with a later recv()
                print(f"{name}: {len(pending)} bytes of a line so far", flush=True)


def main(port):
    with socket.create_server(("127.0.0.1", port)) as server:  # bind + listen, or fail loudly
        print(f"listening on 127.0.0.1:{server.getsockname()[1]}", flush=True)
        while True:
            conn, address = server.accept()  # blocks until a client comes: no sleep(1)
            # daemon: a Ctrl-C ends the server without waiting for connected clients
            threading.Thread(target=serve, args=(conn, address), daemon=True).start()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
