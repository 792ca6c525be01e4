"""Greenlets (stackful) and asyncio (stackless): where each coroutine may pause.

gevent is a third-party library and is not installed here, so its version is shown in a
comment. What runs is the standard library: threads stand in for greenlets (each has its
own stack, so a wait deep inside plain functions is fine), and asyncio shows the stackless
kind, where every function on the way down to the wait must be `async def`.
Run: python3 chapters/3.3/sketches/gevent_style.py
"""
import asyncio
import threading
import time

NAMES = ["alice", "bob", "carol"]

# #region gevent
# With gevent (pip install gevent), the code below would read:
#
#   from gevent import monkey; monkey.patch_all()  # time.sleep, socket... now yield to the hub
#   import gevent
#
#   jobs = [gevent.spawn(greet, i) for i in range(3)]  # greet and read_name: plain functions
#   gevent.joinall(jobs)
#   print([job.value for job in jobs])
#
# The patched time.sleep switches to another greenlet from deep inside read_name: the
# whole stack (greet -> read_name -> sleep) is kept aside and resumed later.


def read_name(i):
    time.sleep(0.01)  # a blocking call; under gevent it would switch greenlets
    return NAMES[i]


def greet(i):  # a plain function: no async, no yield
    return f"hello {read_name(i)}"
# #endregion gevent


# #region threads
def with_threads():
    results = [None] * 3

    def job(i):
        results[i] = greet(i)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("threads (stackful stand-in):", results)
# #endregion threads


# #region asyncio
async def read_name_async(i):
    await asyncio.sleep(0.01)  # the only kind of place a stackless coroutine can pause
    return NAMES[i]


async def greet_async(i):  # calls something that waits, so it must be async too
    return f"hello {await read_name_async(i)}"


def greet_plain(i):  # a plain function cannot await; it only gets a coroutine object
    coroutine = read_name_async(i)
    kind = type(coroutine).__name__
    coroutine.close()  # never started; close it so Python does not warn
    return f"hello {kind}"


async def with_asyncio():
    print("asyncio (stackless):", list(await asyncio.gather(*(greet_async(i) for i in range(3)))))
    print("plain function calling async:", greet_plain(0))
# #endregion asyncio


if __name__ == "__main__":
    with_threads()
    asyncio.run(with_asyncio())
