"""3.3.1 Process and thread pools from the standard library (Python 3).

multiprocessing.Pool runs tasks in worker processes; multiprocessing.dummy.Pool (also
multiprocessing.pool.ThreadPool) has the same API on threads. The function must be defined
at module level: a process pool sends it to the workers by name.
Run: python3 chapters/3.3/sketches/pools.py
"""
# #region pools
from multiprocessing import Pool
from multiprocessing.dummy import Pool as ThreadPool


def describe_pair(a, b):
    return f"{a}->{b}"  # return the line; printing in a worker loses the order


def run(make_pool, name):
    pool = make_pool(2)
    handles = [pool.apply_async(describe_pair, (i, i + 50)) for i in range(1000)]
    pool.close()  # once, after everything is submitted
    pool.join()  # wait for the workers to finish and exit
    lines = [h.get() for h in handles]  # get() re-raises a task's exception here
    print(f"{name}: {len(lines)} results, {lines[0]}, {lines[1]}, ... {lines[-1]}")
# #endregion pools


# #region mistake
def close_inside_the_loop():
    pool = ThreadPool(2)
    try:
        for i in range(1000):
            pool.apply_async(describe_pair, (i, i + 50))
            pool.close()  # inside the loop: the next round submits to a closed pool
            pool.join()
    except ValueError as error:
        print(f"close() inside the loop: round {i + 1} raised ValueError: {error}")
# #endregion mistake


# #region futures
def with_futures():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as executor:  # leaving the block shuts it down
        squares = list(executor.map(lambda n: n * n, range(1, 9)))
    print(f"concurrent.futures map: {squares}")
# #endregion futures


if __name__ == "__main__":
    run(Pool, "process pool")
    run(ThreadPool, "thread pool")
    close_inside_the_loop()
    with_futures()
