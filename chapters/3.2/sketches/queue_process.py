"""3.2.4 Processes: the original's multiprocessing Queue sample, and what is (not) shared.

The child puts one item on a Queue; the parent gets it, then joins the child. The item is a
pickled copy: the child changing its own list changes nothing in the parent. Memory is shared
only when you ask for it, here with a multiprocessing.Value.

Run: python3 queue_process.py
"""
from multiprocessing import Process, Queue, Value

data = [4031, 1024]


def f(q, shared):
    data.append("my data")  # the child's own copy of the module's list
    q.put(data)
    with shared.get_lock():
        shared.value += 1  # a real shared int, in memory both processes map


if __name__ == "__main__":
    q = Queue()
    shared = Value("i", 0)
    p = Process(target=f, args=(q, shared))
    p.start()
    item = q.get()  # get before join: a child with unsent queued items cannot exit yet
    p.join()
    print(f"parent got {item}; the child exited with code {p.exitcode}")
    print(f"parent's own list: {data}")
    print(f"shared Value: {shared.value}")
