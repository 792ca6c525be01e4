"""3.2.3 The GIL, measured: CPU-bound work gains nothing from threads; waiting does.

my_counter() is the original's CPU-bound loop. It runs twice one after another, then on two
threads, then in two processes (each process has a GIL of its own). Then two kinds of work that
release the GIL: sleeping (as blocking I/O does) and hashing a large buffer (hashlib's C code
releases the GIL for data over 2047 bytes). Times vary from run to run; compare the rows.

Run: python3 gil_measure.py [iterations, default 10000000]
"""
import hashlib
import multiprocessing
import sys
import threading
import time


# #region jobs
def my_counter(n):
    i = 0
    for _ in range(n):
        i = i + 1
    return i  # the original throws its result away; a benchmark should check it


def sleep_a_while(seconds):
    time.sleep(seconds)
    return seconds


def hash_buffer(data):
    digest = hashlib.sha256()
    for _ in range(8):  # 8 x 16 MiB: long enough to time, without holding 128 MiB
        digest.update(data)  # C code, run with the GIL released
    return digest.hexdigest()
# #endregion jobs


def one_after_another(job, arg):
    return [job(arg), job(arg)]


# #region threads
def on_two_threads(job, arg):
    results = [None, None]

    def run(k):
        results[k] = job(arg)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def in_two_processes(job, arg):
    with multiprocessing.Pool(2) as pool:
        return pool.map(job, [arg, arg])
# #endregion threads


def timed(label, runner, job, arg):
    start = time.perf_counter()
    results = runner(job, arg)
    elapsed = time.perf_counter() - start
    print(f"  {label:<22} {elapsed:6.3f} s", flush=True)
    return results


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    print(f"switch interval: {sys.getswitchinterval()} s", flush=True)

    my_counter(1000)  # warm up: the first calls of a function run slower
    print(f"CPU-bound: my_counter({n}) twice", flush=True)
    for label, runner in (
        ("one after another", one_after_another),
        ("two threads", on_two_threads),
        ("two processes", in_two_processes),
    ):
        assert timed(label, runner, my_counter, n) == [n, n], label

    print("sleep(0.1) twice (the GIL is released while waiting)", flush=True)
    for label, runner in (("one after another", one_after_another), ("two threads", on_two_threads)):
        assert timed(label, runner, sleep_a_while, 0.1) == [0.1, 0.1], label

    data = bytes(16 * 1024 * 1024)
    expected = hash_buffer(data)
    print("sha256 of 128 MiB twice (hashlib releases the GIL)", flush=True)
    for label, runner in (("one after another", one_after_another), ("two threads", on_two_threads)):
        assert timed(label, runner, hash_buffer, data) == [expected, expected], label


if __name__ == "__main__":
    main()
