"""3.3.2 Is a generator fast? The original chapter's claim, timed in Python 3.

Sums the first 200,000 Fibonacci numbers (kept modulo a prime, as section 3.3.2's sample
does) three ways: from a generator, from a list built first, and in a plain loop. Rounds
are taken in turn, so background load hits all three alike; the best of seven is kept.
Run: python3 chapters/3.3/sketches/generator_speed.py
"""
# #region speed
from itertools import islice
from timeit import timeit

COUNT, PRIME = 200_000, 1_000_000_007


def fibonacci():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, (a + b) % PRIME


def with_generator():
    total = 0
    for value in islice(fibonacci(), COUNT):  # one value at a time, none kept
        total += value
    return total


def with_list():
    values, a, b = [], 0, 1
    for _ in range(COUNT):  # every value stored first
        values.append(a)
        a, b = b, (a + b) % PRIME
    total = 0
    for value in values:
        total += value
    return total


def with_plain_loop():
    total, a, b = 0, 0, 1
    for _ in range(COUNT):
        total += a
        a, b = b, (a + b) % PRIME
    return total


ways = [with_generator, with_list, with_plain_loop]
print("the same sum three ways:", len({way() for way in ways}) == 1)
best = dict.fromkeys(ways, float("inf"))
for _ in range(7):
    for way in ways:
        best[way] = min(best[way], timeit(way, number=1))
for way in ways:
    print(f"{way.__name__:16} {best[way] / best[with_plain_loop]:.2f} × a plain loop")
# #endregion speed
