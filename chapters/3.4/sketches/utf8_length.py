"""3.4.1 Characters and bytes (Python 3).

Python's len() counts code points; what a socket sends is the text encoded, here as UTF-8.
Run: python3 chapters/3.4/sketches/utf8_length.py
"""
# #region sketch
def describe(text):
    data = text.encode("utf-8")  # what sock.sendall() would send
    return f"{text}: len {len(text)}, {len(data)} bytes"


def main():
    for text in ["hello", "héllo", "你好", "🎮"]:
        print(describe(text))
# #endregion sketch


if __name__ == "__main__":
    main()
