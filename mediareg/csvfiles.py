"""Reading the outside lists that the imports take (the Dewan Pers list in partners, web rank lists in
the catalog): one way to open a file or a CSV inside a ZIP, to detect the text's encoding and byte
order mark, to find the delimiter, to normalise headers and to stream lines, so that both imports
read alike and refuse a bad file with the same messages."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# progress(advance, total): called as work is done; total is None when unknown.
Progress = Callable[[int, "int | None"], None]


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, a required column absent)."""


@contextlib.contextmanager
def reading(path: Path, kind: str = "a CSV file"):
    """Turn the system's errors about opening or reading ``path`` into an ImportFileError that says
    what to do; ``kind`` names what the file should have been ("a CSV or ZIP file")."""
    try:
        yield
    except FileNotFoundError as exc:
        raise ImportFileError(f"File not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ImportFileError(f"{path} is a directory, not {kind}.") from exc
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc


def read_bytes(path: Path) -> bytes:
    with reading(path):
        return path.read_bytes()


def decode_text(data: bytes) -> tuple[str, str, str]:
    """(text, encoding, note): UTF-8 with or without BOM, else Windows-1252 (cp1252) with a note saying
    so, as spreadsheets on Windows save it."""
    try:
        return data.decode("utf-8-sig"), "utf-8", ""
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"The file is neither UTF-8 nor Windows-1252 text (undecodable byte at position "
                f"{utf8_error.start}); save it as CSV UTF-8 and try again.") from exc
        return text, "cp1252", (f"the file is not UTF-8 (byte at position {utf8_error.start}); "
                                "it was read as Windows-1252 (cp1252): check accented names")


def header_key(header: str) -> str:
    """A header as it is compared: trimmed, lower case, an underscore or a run of spaces as one space,
    without a byte order mark."""
    return re.sub(r"[\s_]+", " ", (header or "").strip().lstrip("\ufeff").lower()).strip()


def sniff_delimiter(first_line: str, known_headers: set[str], candidates: Iterable[str] = (",", ";")) -> str:
    """The delimiter that splits the header line into more known headers (then into more cells):
    comma or semicolon, as Indonesian spreadsheets save either."""

    def score(delimiter):
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(header_key(cell) in known_headers for cell in cells), len(cells)

    return max(candidates, key=score)


@dataclass
class CsvTable:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number of the row's first line, cells)
    delimiter: str


def read_table(text: str, known_headers: set[str]) -> CsvTable:
    """A CSV with a header line, its delimiter sniffed from that line; blank rows are left out and
    every row keeps the line it starts on (a quoted cell may span lines), for messages to staff."""
    if not text.strip():
        raise ImportFileError("The file is empty: expected a header line and one row per outlet.")
    delimiter = sniff_delimiter(text.split("\n", 1)[0], known_headers)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    last_line = 0
    try:
        for cells in reader:
            start = last_line + 1  # a quoted cell may span lines: report where the row begins
            last_line = reader.line_num
            if headers is None:
                headers = [cell.strip() for cell in cells]
                continue
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
    except csv.Error as exc:
        raise ImportFileError(f"Line {reader.line_num}: the CSV is malformed ({exc}).") from exc
    return CsvTable(headers=headers or [], rows=rows, delimiter=delimiter)


class LineSource:
    """The binary lines of a large list, read one at a time: the file itself, or inside a ZIP the
    member called ``member`` (or the only .csv). ``size`` is the uncompressed size, for progress.
    Use it as a context manager; the first line comes without a UTF-8 byte order mark."""

    def __init__(self, path: Path, member: str):
        self.path = path
        self._zip = None
        with reading(path, "a CSV or ZIP file"):
            try:
                if zipfile.is_zipfile(path):
                    self._zip = zipfile.ZipFile(path)
                    members = [info for info in self._zip.infolist() if not info.is_dir()]
                    chosen = next((m for m in members if Path(m.filename).name == member), None)
                    csvs = [m for m in members if m.filename.lower().endswith(".csv")]
                    if chosen is None and len(csvs) == 1:
                        chosen = csvs[0]
                    if chosen is None:
                        raise ImportFileError(f"{path.name} holds no {member} (found: "
                                              f"{', '.join(m.filename for m in members) or 'nothing'}).")
                    self.size = chosen.file_size
                    self.stream = self._zip.open(chosen)
                else:
                    self.size = path.stat().st_size
                    self.stream = path.open("rb")
            except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
                raise ImportFileError(f"{path.name} is not a readable ZIP file ({exc}).") from exc

    def lines(self) -> Iterator[bytes]:
        first = self.stream.readline().removeprefix(codecs.BOM_UTF8)
        return itertools.chain([first] if first else [], self.stream)

    def close(self) -> None:
        self.stream.close()
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> LineSource:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
