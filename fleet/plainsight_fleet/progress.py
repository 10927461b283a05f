"""Progress: a bar redrawn in place on a terminal, one plain line per repository
elsewhere (CI logs keep every line; a bar there would be noise)."""

from __future__ import annotations

from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO, width: int = 30):
        self.total = total
        self.stream = stream
        self.width = width
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def _bar(self, t: dict) -> str:
        done = t["done"]
        filled = self.width * done // max(1, self.total)
        return (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} repos"
            f" · {t['findings']} findings · {t['failed']} failed"
        )

    def update(self, totals: dict, message: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K" + self._bar(totals))
        else:
            self.stream.write(f"plainsight-fleet: [{totals['done']}/{self.total}] {message}\n")
        self.stream.flush()

    def finish(self, t: dict) -> None:
        if self.tty:
            self.stream.write("\n")
        self.stream.write(
            f"plainsight-fleet: {t['repos']} repositories: {t['scanned']} scanned, "
            f"{t['skipped']} unchanged and skipped, {t['failed']} failed; "
            f"{t['findings']} findings in {t['wall_seconds']:.1f}s\n"
        )
        self.stream.flush()
