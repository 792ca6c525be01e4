"""3.3 Producer/consumer with threads and a bounded queue.Queue (Python 3).

How the original chapter's model looks in Python: producer threads put() tasks into a
queue, consumer threads get() them. queue.Queue(maxsize) makes put() block while the queue
is full, which slows the producers down to the consumers' pace (backpressure).
Run: python3 chapters/3.3/sketches/producer_consumer.py
"""
# #region sketch
import queue
import threading

DONE = object()  # one stop marker per consumer


def produce(q, first, step, count):
    for n in range(first, count, step):
        q.put(n)  # blocks while the queue holds 4 items


def consume(q, results, lock):
    while True:
        item = q.get()  # blocks while the queue is empty
        if item is DONE:
            return
        with lock:
            results.append(item * item)


def main():
    q = queue.Queue(maxsize=4)
    results, lock = [], threading.Lock()
    consumers = [threading.Thread(target=consume, args=(q, results, lock)) for _ in range(3)]
    producers = [threading.Thread(target=produce, args=(q, i, 2, 20)) for i in range(2)]
    for t in consumers + producers:
        t.start()
    for t in producers:
        t.join()
    for _ in consumers:
        q.put(DONE)
    for t in consumers:
        t.join()
    print(f"consumed {len(results)} items; sum of squares {sum(results)}")
# #endregion sketch


if __name__ == "__main__":
    main()
