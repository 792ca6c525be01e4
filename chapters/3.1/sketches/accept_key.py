"""3.1.2 The accept key, the way the original chapter computes it, in Python 3.

Run: python3 chapters/3.1/sketches/accept_key.py
"""
import base64
import hashlib

MAGIC_STRING = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # fixed by RFC 6455; never change it


def accept_key(key: str) -> str:
    # Python 3 hashes bytes, not text, so the string is encoded first (Python 2 did not need to).
    digest = hashlib.sha1((key + MAGIC_STRING).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


if __name__ == "__main__":
    key = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 section 1.3
    print(key, "->", accept_key(key))
