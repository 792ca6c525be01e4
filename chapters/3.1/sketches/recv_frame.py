"""3.1.5 Reading a frame, the way the original's recv_data() does, in Python 3.

Unlike recv_data(), it reads the declared length and stops there, so a buffer holding
part of a frame, or two frames, is handled; the caller keeps the rest.

Run: python3 chapters/3.1/sketches/recv_frame.py
"""
import struct


def parse_frame(data):
    """Returns (fin, opcode, payload, size) for the frame at the start of data, or None
    when more bytes are needed. size is how many bytes of data the frame used."""
    if len(data) < 2:
        return None
    first, second = data[0], data[1]  # indexing bytes gives ints in Python 3 (no ord())
    if not second & 0x80:  # the MASK bit: 1 on every frame a browser sends
        raise ValueError("client frames must be masked")
    length = second & 0x7F
    at = 2
    if length == 126:  # the next 2 bytes hold the length
        if len(data) < 4:
            return None
        (length,) = struct.unpack_from("!H", data, 2)
        at = 4
    elif length == 127:  # the next 8 bytes hold it: the mask starts at byte 10
        if len(data) < 10:
            return None
        (length,) = struct.unpack_from("!Q", data, 2)
        at = 10
    mask = data[at : at + 4]
    start = at + 4
    if len(data) < start + length:
        return None  # the rest of the frame has not arrived yet
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(data[start : start + length]))
    return bool(first & 0x80), first & 0x0F, payload, start + length


if __name__ == "__main__":
    hello = bytes.fromhex("818537fa213d7f9f4d5158")  # RFC 6455 section 5.7, masked "Hello"
    fin, opcode, payload, size = parse_frame(hello)
    print(f"fin={fin} opcode={opcode} payload={payload!r} size={size}")
    two = hello + hello  # two frames in one read
    while two:
        fin, opcode, payload, size = parse_frame(two)
        print("frame:", payload.decode("utf-8"))
        two = two[size:]
    print("half a frame:", parse_frame(hello[:7]))
