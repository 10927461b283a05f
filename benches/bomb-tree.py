#!/usr/bin/env python3
"""Build a tree of hostile archives for measuring plainsight's peak RSS on them.

Usage: python3 benches/bomb-tree.py DIR
Then:  /usr/bin/time -f '%e s %M KB' target/release/plainsight scan DIR --format json -o /dev/null

The tree: a zip with a 1 GiB entry of zeros (1 MB compressed), a 1 GiB xz stream of one
letter, a 256 MiB gzip of one letter, a 64-level zip holding copies of itself, a zip of
100,000 entries, a tar.gz of 2,000 x 200 KiB entries (400 MiB uncompressed in a ~20 MB
file: over the per-archive budget) and a truncated zip. Standard library only.
"""
import gzip, io, lzma, os, sys, tarfile, zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
MiB = 1 << 20

with zipfile.ZipFile(os.path.join(out, "zeros.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("zeros.txt", "w", force_zip64=True) as f:
        block = bytes(MiB)
        for _ in range(1024):
            f.write(block)

with lzma.open(os.path.join(out, "letters.txt.xz"), "wb", preset=1) as f:
    block = b"a" * MiB
    for _ in range(1024):
        f.write(block)

with gzip.open(os.path.join(out, "letters.log.gz"), "wb", compresslevel=9) as f:
    block = b"a" * MiB
    for _ in range(256):
        f.write(block)

inner = io.BytesIO()
with zipfile.ZipFile(inner, "w") as z:
    z.writestr("deep.txt", "nothing here\n")
data = inner.getvalue()
for _ in range(64):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("copy.zip", data)
    data = b.getvalue()
open(os.path.join(out, "self.zip"), "wb").write(data)

with zipfile.ZipFile(os.path.join(out, "many.zip"), "w") as z:
    for i in range(100_000):
        z.writestr(f"e/{i}.txt", "nothing\n")

with tarfile.open(os.path.join(out, "big.tar.gz"), "w:gz", compresslevel=1) as t:
    for i in range(2000):
        # 200 KiB of text that gzip packs about 20 to 1: 400 MiB in a ~20 MB file.
        body = os.urandom(10 * 1024).hex().encode() * 10
        info = tarfile.TarInfo(f"part/{i}.txt")
        info.size = len(body)
        t.addfile(info, io.BytesIO(body))

good = open(os.path.join(out, "many.zip"), "rb").read()
open(os.path.join(out, "cut.zip"), "wb").write(good[: len(good) // 2])
print(out)
