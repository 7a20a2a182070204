#!/usr/bin/env python3
"""Draws OAuth Desk's icon (an RGBA PNG, which tauri-build requires) with the standard library only."""
import math
import struct
import sys
import zlib

SIZE = 256


def pixel(x, y):
    # A rounded square in deep blue with a white key: a ring and a shaft with two teeth.
    r = 48
    cx, cy = min(max(x, r), SIZE - 1 - r), min(max(y, r), SIZE - 1 - r)
    if math.hypot(x - cx, y - cy) > r:
        return (0, 0, 0, 0)
    shade = int(40 * y / SIZE)
    bg = (30 + shade, 80 + shade, 170 + shade // 2, 255)
    d = math.hypot(x - 96, y - 128)
    if 26 <= d <= 46:
        return (255, 255, 255, 255)
    if 138 <= x <= 210 and 120 <= y <= 136:
        return (255, 255, 255, 255)
    if (170 <= x <= 182 or 194 <= x <= 206) and 136 <= y <= 160:
        return (255, 255, 255, 255)
    return bg


def png(path):
    rows = b"".join(b"\x00" + b"".join(struct.pack("4B", *pixel(x, y)) for x in range(SIZE)) for y in range(SIZE))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    png(sys.argv[1] if len(sys.argv) > 1 else "icons/icon.png")
