"""Check an inventory screenshot: the chart's bar colours and the table header band are
present, so the page rendered rather than came out blank. Standard library only: the
PNG is decoded with zlib (8-bit RGB or RGBA, non-interlaced, as Chromium writes)."""
import struct
import sys
import zlib

# Colours from src/report/inventory.rs (bars) and its CSS (table header).
WANTED = {
    "credentials-by-category bars": (0x2F, 0x9E, 0x44),
    "credentials-by-vendor bars": (0xE8, 0x59, 0x0C),
    "data-flow bars": (0x1C, 0x7E, 0xD6),
    "table header": (0x34, 0x3A, 0x40),
}
MIN_PIXELS = 500


def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main(path):
    width, height, bpp, rows = pixels(path)
    counts = {name: 0 for name in WANTED}
    top = {name: height for name in WANTED}
    for y, row in enumerate(rows):
        in_row = {name: 0 for name in WANTED}
        for x in range(0, width * bpp, bpp):
            px = tuple(row[x : x + 3])
            for name, rgb in WANTED.items():
                if all(abs(p - q) <= 6 for p, q in zip(px, rgb)):
                    in_row[name] += 1
        for name, n in in_row.items():
            counts[name] += n
            # A bar or a header band, not an anti-aliased glyph of the same shade.
            if n >= 40:
                top[name] = min(top[name], y)
    failed = [n for n, c in counts.items() if c < MIN_PIXELS]
    for n in WANTED:
        print(f"{n}: {counts[n]} pixels, first at y={top[n]}")
    if failed:
        sys.exit(f"missing from the screenshot: {', '.join(failed)}")
    if top["table header"] < top["credentials-by-vendor bars"]:
        sys.exit("the table is drawn above the chart: layout broken")


if __name__ == "__main__":
    main(sys.argv[1])
