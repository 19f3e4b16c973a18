"""A CSV file of your own points, read and checked: `x1,x2,label` rows (points on the plane,
labels 0 to 5) or `x,y` rows (a curve). Plain Python, used by the websocket's `upload` message
and by `backprop-lab train --data`. Every refusal is a CsvError that names the row (the file's
line, counted from 1) and the column, and says what is wrong.

The file: UTF-8 (a byte-order mark is allowed), comma-separated, an optional header row
naming the columns (`x1,x2,label` or `x,y`); without one, three values a row are points and
two a curve. Blank lines are skipped; at most MAX_BYTES and the server's points limit of rows."""

from __future__ import annotations

import csv
import io

from engine.userdata import COLUMNS, MAX_CLASSES, PointError, check_value

# The file travels base64-encoded in one websocket message, which uvicorn caps at 64 KiB
# (server/cli.py): 45,000 bytes become 60,000 characters.
MAX_BYTES = 45_000
MIN_ROWS = 2  # one to train on, one to test on


class CsvError(ValueError):
    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        where = ", ".join(p for p in (f"row {row}" if row else "", f"column {column}" if column else "") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.row, self.column, self.message = row, column, message


def parse(data: bytes, max_rows: int) -> tuple[str, list[list[float]]]:
    """The own dataset kind ("own" or "own_line") the file holds and its rows, checked and rounded."""
    if not data.strip():
        raise CsvError("the file is empty" if not data else "the file holds only blank space")
    if len(data) > MAX_BYTES:
        raise CsvError(f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} (about 20 characters a row)")
    text = _decode(data)
    lines = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), start=1) if any(c.strip() for c in row)]
    first_n, first = lines[0]
    header = not _is_number(first[0])
    if header:
        kind = _kind_of_header(first_n, first)
        lines = lines[1:]
    elif len(first) in (2, 3):
        kind = "own" if len(first) == 3 else "own_line"
    else:
        raise CsvError(f"has {_values(len(first))}; expected x1,x2,label (points) or x,y (a curve)", first_n)
    columns = COLUMNS[kind]
    if not lines:
        raise CsvError("the file has a header and no rows of data", first_n)
    if len(lines) > max_rows:
        raise CsvError(f"more than {max_rows:,} rows of data (this is the {max_rows + 1:,}th)", lines[max_rows][0])
    if len(lines) < MIN_ROWS:
        raise CsvError(f"only one row of data; at least {MIN_ROWS} (one to train on, one to test on)", lines[0][0])
    rows = [_row(n, row, columns) for n, row in lines]
    if kind == "own" and len({r[2] for r in rows}) < 2:
        raise CsvError(f"every row is class {rows[0][2]:g}: a classification needs 2 to {MAX_CLASSES} classes")
    return kind, rows


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        row = data[: e.start].count(b"\n") + 1
        raise CsvError(f"byte {data[e.start]:#04x} is not UTF-8: save the file as UTF-8 (CSV UTF-8)", row) from None


def _is_number(cell: str) -> bool:
    try:
        float(cell.strip())
    except ValueError:
        return False
    return True


def _kind_of_header(n: int, cells: list[str]) -> str:
    names = tuple(c.strip().lower() for c in cells)
    for kind, columns in COLUMNS.items():
        if names == columns:
            return kind
    for i, name in enumerate(names):
        if name not in ("x1", "x2", "label", "x", "y"):
            raise CsvError(f"'{cells[i].strip()[:40]}' is not a column name: x1,x2,label or x,y", n, f"{i + 1}")
    raise CsvError(f"the header {','.join(names)} should be x1,x2,label (points) or x,y (a curve)", n)


def _values(k: int) -> str:
    return f"{k} value{'s' if k != 1 else ''}"


def _row(n: int, cells: list[str], columns: tuple[str, ...]) -> list[float]:
    if len(cells) < len(columns):
        missing = columns[len(cells)]
        raise CsvError(f"is missing (the row has {_values(len(cells))}; expected {','.join(columns)})", n, missing)
    if len(cells) > len(columns):
        raise CsvError(f"the row has {_values(len(cells))}; expected {len(columns)}: {','.join(columns)}", n)
    out = []
    for column, cell in zip(columns, cells):
        text = cell.strip()
        if not text:
            raise CsvError("is empty", n, column)
        try:
            v = float(text)
        except ValueError:
            raise CsvError(f"'{text[:40]}' is not a number", n, column) from None
        try:
            out.append(check_value(column, v))
        except PointError as e:
            raise CsvError(e.message, n, column) from None
    return out
