"""An async def is a generator plus a driver — in Python 3 as in JavaScript.

A native coroutine has send() and throw(), like a generator. Here a ten-line driver plays
the event loop: it answers each request the coroutine pauses on.
Run: python3 chapters/3.3/sketches/async_driver.py
"""
# #region sketch
class Request:
    """An awaitable that pauses the coroutine and hands `what` to whoever drives it."""

    def __init__(self, what):
        self.what = what

    def __await__(self):
        return (yield self.what)  # the same yield a generator uses


async def load_player(player_id):
    name = await Request(f"name of {player_id}")
    try:
        await Request("score")
    except LookupError as error:
        return f"{name}, score unknown ({error})"
    return f"{name}, scored"


def run(coroutine, answers):
    """Resume with each answer; throw it in if it is an exception (what `await` does)."""
    value, throw = None, False
    while True:
        try:
            request = coroutine.throw(value) if throw else coroutine.send(value)
        except StopIteration as done:
            return done.value  # the coroutine returned
        value = answers[request]
        throw = isinstance(value, BaseException)


print(run(load_player(7), {"name of 7": "player 7", "score": LookupError("server down")}))
# #endregion sketch
