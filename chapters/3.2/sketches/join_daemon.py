"""3.2.1 Threads: start, join, daemon.

A thread that ticks five times. What happens when the main thread reaches its end depends on
what it did with the thread:
  join     waits for the thread at t.join(), then goes on       -> 5 ticks, then "joined"
  daemon   t.daemon = True: the process exits without waiting   -> "main done", (almost) no ticks
  neither  the process waits for the thread before it exits     -> "main done", then 5 ticks

Run: python3 join_daemon.py join|daemon|neither
"""
import sys
import threading
import time


def tick(times, pause):
    for i in range(1, times + 1):
        time.sleep(pause)
        print(f"tick {i}", flush=True)


def main(mode):
    # A Thread does nothing until start(); join() on a thread never started raises RuntimeError.
    t = threading.Thread(target=tick, args=(5, 0.05), daemon=(mode == "daemon"))
    t.start()
    if mode == "join":
        t.join()
        print("joined", flush=True)
    else:
        print("main done", flush=True)
    # The main thread ends here. Python then waits for every thread that is not a daemon.


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "join")
