"""3.2.2 Locks: lost updates, and the original's thread_main/main done right.

Part 1: four threads each add 1 to a shared count 20,000 times, first without a lock, then with
one. Part 2: the original's program (four threads, five increments each, count starting at 1)
with what it leaves out put back: start() the threads, and read count inside the lock.

Run: python3 lock_counter.py
"""
import sys
import threading

# Switch threads as often as possible (the default is every 5 ms, sys.getswitchinterval()),
# so the race shows up in a run this short.
sys.setswitchinterval(1e-6)

count = 0
mutex = threading.Lock()


# #region race
def pause():
    pass  # calling any function is a point where CPython may switch to another thread


def add_unsafely(times):
    global count
    for _ in range(times):
        seen = count  # read ...
        pause()  # ... another thread may run here and store its own count ...
        count = seen + 1  # ... and this store overwrites it: a lost update


def add_with_lock(times):
    global count
    for _ in range(times):
        with mutex:  # acquire(); ...; release(), even if the body raises
            seen = count
            pause()
            count = seen + 1
# #endregion race


def run_four(target, times):
    global count
    count = 0
    threads = [threading.Thread(target=target, args=(times,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count


# #region original
def thread_main(a):
    global count
    name = threading.current_thread().name
    for x in range(a):
        with mutex:
            count += 1
            seen = count  # read inside the lock: after release() it may already have changed
        sys.stdout.write(f"{name} {x} {seen}\n")  # one write, so lines do not interleave
# #endregion original


def main():
    for name, target in (("without a lock", add_unsafely), ("with a lock", add_with_lock)):
        print(f"{name}: {run_four(target, 20_000)} of 80000", flush=True)

    sys.setswitchinterval(0.005)  # back to the default
    global count
    count = 1  # as in the original: so the total is 1 + 4 x 5 = 21
    threads = [threading.Thread(target=thread_main, args=(5,), name=f"T{i}") for i in range(4)]
    for t in threads:
        t.start()  # the original forgets this line
    for t in threads:
        t.join()
    print(f"count = {count}", flush=True)  # 21, whatever order the threads ran in


if __name__ == "__main__":
    main()
