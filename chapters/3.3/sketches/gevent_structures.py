"""3.3.4 gevent's data structures, with asyncio's look-alikes as the runnable stand-in.

gevent (not installed here) has Event, Queue(maxsize), Semaphore, AsyncResult and Pool in
gevent.event, gevent.queue, gevent.lock and gevent.pool. asyncio has the same ideas with
the same names; each wait blocks only the coroutine that waits, never the thread.
Run: python3 chapters/3.3/sketches/gevent_structures.py
"""
# #region sketch
import asyncio


async def main():
    ready = asyncio.Event()  # gevent.event.Event
    rooms = asyncio.Semaphore(2)  # gevent.lock.Semaphore(2): at most two matches at once
    lobby = asyncio.Queue(maxsize=4)  # gevent.queue.Queue(maxsize=4)
    busy, peak = 0, 0

    async def match(pair):
        nonlocal busy, peak
        await ready.wait()  # every match waits for the server to open
        async with rooms:
            busy += 1
            peak = max(peak, busy)
            await asyncio.sleep(0.005)  # the match is played
            busy -= 1
        return f"{pair[0]} vs {pair[1]}"

    async def matchmaker():
        jobs = []
        while (first := await lobby.get()) is not None:
            jobs.append(asyncio.create_task(match((first, await lobby.get()))))
        return await asyncio.gather(*jobs)

    pairing = asyncio.create_task(matchmaker())
    ready.set()
    for player in ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", None]:
        await lobby.put(player)  # waits while the lobby holds four
    print(f"{await pairing}; never more than 2 rooms at once: {peak <= 2}")


asyncio.run(main())
# #endregion sketch
