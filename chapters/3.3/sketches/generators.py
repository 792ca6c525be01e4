"""3.3.2 Generators in Python 3: produce with yield, receive with send(), delegate with yield from.

Run: python3 chapters/3.3/sketches/generators.py
"""
# #region fibonacci
from itertools import islice


def fibonacci():
    a, b = 0, 1
    while True:  # endless: a plain `for n in fibonacci()` never stops by itself
        yield a
        a, b = b, a + b


print("first ten:", *islice(fibonacci(), 10))  # islice stops after ten
# #endregion fibonacci


# #region averager
def averager():
    total, count, average = 0, 0, None
    while True:
        value = yield average  # hand `average` out, then wait for send(value)
        total, count = total + value, count + 1
        average = total / count


avg = averager()
next(avg)  # prime: run to the first yield (send(None) does the same)
print("averages:", avg.send(10), avg.send(20), avg.send(30))
# #endregion averager


# #region cleanup
def countdown(n):
    try:
        while n > 0:
            yield n
            n -= 1
    finally:
        print("finally ran")  # on close(), too


down = countdown(5)
print("countdown:", next(down), next(down))
down.close()  # raises GeneratorExit at the paused yield
# #endregion cleanup


# #region yield-from
from types import SimpleNamespace


def read_exact(state, n):
    while len(state.pending) < n:
        state.pending += yield  # wait for the next chunk sent in
    taken, state.pending = state.pending[:n], state.pending[n:]
    return taken


def parse_messages(on_message):
    state = SimpleNamespace(pending="")
    while True:
        length = int((yield from read_exact(state, 2)))  # sends go straight to read_exact
        on_message((yield from read_exact(state, length)))


messages = []
parser = parse_messages(messages.append)
next(parser)
for chunk in ["05he", "llo02", "hi1", "0corou", "tines"]:
    parser.send(chunk)
print("messages:", messages)
# #endregion yield-from
