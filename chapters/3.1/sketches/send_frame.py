"""3.1.5 Sending a frame, the way the original's send_data() does, in Python 3.

Run: python3 chapters/3.1/sketches/send_frame.py
"""
import struct


def encode_frame(payload, opcode=0x1):
    """A server frame: FIN set, the opcode, the shortest length form, no mask."""
    first = 0x80 | opcode
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", first, length)
    elif length <= 0xFFFF:
        header = struct.pack("!BBH", first, 126, length)  # 126, then 16 bits ("H")
    else:
        header = struct.pack("!BBQ", first, 127, length)  # 127, then 64 bits ("Q")
    return header + payload


if __name__ == "__main__":
    for size in (5, 200, 70000):
        frame = encode_frame(b"a" * size)
        print(size, "bytes ->", frame[: len(frame) - size].hex(" "))
