"""3.3.2 The original chapter's grep coroutine, written afresh in Python 3.

Run: python3 chapters/3.3/sketches/grep_coroutine.py
"""
# #region grep
def grep(pattern):
    print(f'searching for "{pattern}"')
    try:
        while True:
            line = yield  # paused here until send(line)
            if pattern in line:
                print(f"match: {line}")
    finally:
        print("closed")


search = grep("coroutine")
next(search)  # prime: run the body to the first yield
for line in ["I love you", "Don't you love me?", "I love coroutine instead!"]:
    search.send(line)
search.close()  # GeneratorExit at the yield; the finally block runs
# #endregion grep

# #region unprimed
fresh = grep("coroutine")
try:
    fresh.send("I love coroutine instead!")  # not primed: nothing is waiting at a yield
except TypeError as error:
    print(f"TypeError: {error}")

never_started = grep("coroutine")
never_started.close()  # closes it without running any of its body: no print at all
print("closed a fresh one: nothing printed")
# #endregion unprimed
