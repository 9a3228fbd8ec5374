"""QuerySet: LaminDB's lazy query (filter, order_by, first, one, all, to_dataframe).

Keyword arguments become the library's filters (lamin/query.h): ``key__startswith="raw/"`` is
the field ``key`` with the lookup ``startswith``; values are sent as text and bound as SQL
parameters by the library, never spliced into SQL.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from . import _lamin
from .errors import DoesNotExist, MultipleResultsFound

if TYPE_CHECKING:
    from ._record import SQLRecord

_LOOKUPS = frozenset(_lamin.lookups())


def _as_text(value: Any) -> str:
    from ._record import SQLRecord

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, SQLRecord):
        return str(value.id)
    if isinstance(value, str):
        from ._record import _text

        return _text(value, "a filter value", optional=False)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat(sep=" ") if isinstance(value, _dt.datetime) else value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"a filter value must be a str, number, bool, date or record, not {type(value).__name__}")


def to_filters(lookups: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Django-style keyword arguments as (field, lookup, value) triples."""
    filters = []
    for expression, value in lookups.items():
        field, _, last = expression.rpartition("__")
        if field and last in _LOOKUPS:
            lookup = last
        else:
            field, lookup = expression, "exact"
        if value is None:
            if lookup != "exact":
                raise ValueError(f"{expression}=None: None can only be compared with exact (isnull)")
            filters.append((field, "isnull", "true"))
            continue
        if lookup == "in":
            if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                raise TypeError(f"{expression} takes a list, not {type(value).__name__}")
            items = [_as_text(v) for v in value]
            if any("," in item for item in items):
                raise ValueError(f"{expression}: a value with a comma cannot be matched with __in")
            filters.append((field, lookup, ",".join(items)))
            continue
        filters.append((field, lookup, _as_text(value)))
    return filters


class QuerySet:
    """A query of one registry, run when iterated, indexed, counted or converted."""

    def __init__(self, model: type[SQLRecord], filters: list | None = None,
                 order_by: list[str] | None = None, limit: int | None = None,
                 offset: int | None = None) -> None:
        self.model = model
        self._filters = list(filters or [])
        self._order_by = list(order_by or [])
        self._limit = limit
        self._offset = offset
        self._cache: list[SQLRecord] | None = None

    def _copy(self, **changes: Any) -> QuerySet:
        q = QuerySet(self.model, self._filters, self._order_by, self._limit, self._offset)
        for k, v in changes.items():
            setattr(q, k, v)
        return q

    def filter(self, **lookups: Any) -> QuerySet:
        """More conditions (all must hold)."""
        return self._copy(_filters=self._filters + to_filters(lookups))

    def order_by(self, *fields: str) -> QuerySet:
        """Field names, ``-`` in front for descending (default: the newest first)."""
        for f in fields:
            if not isinstance(f, str):
                raise TypeError(f"order_by takes field names, not {type(f).__name__}")
        return self._copy(_order_by=list(fields))

    def all(self) -> QuerySet:
        return self._copy()

    def _rows(self) -> list[SQLRecord]:
        if self._cache is None:
            rows = self.model._query(self._filters, self._order_by, self._limit, self._offset)
            self._cache = [self.model._from_row(r) for r in rows]
        return self._cache

    def __iter__(self) -> Iterator[SQLRecord]:
        return iter(self._rows())

    def __len__(self) -> int:
        return len(self._rows())

    def count(self) -> int:
        return len(self._rows())

    def exists(self) -> bool:
        return bool(self._copy(_limit=1)._rows())

    def __bool__(self) -> bool:
        return self.exists()

    def __getitem__(self, item: int | slice) -> Any:
        if isinstance(item, slice):
            if item.step not in (None, 1) or (item.start or 0) < 0 or (item.stop is not None and item.stop < 0):
                raise ValueError("a QuerySet slice takes non-negative start and stop, no step")
            start = item.start or 0
            offset = (self._offset or 0) + start
            limit = None if item.stop is None else max(0, item.stop - start)
            if self._limit is not None:
                limit = min(limit, self._limit - start) if limit is not None else self._limit - start
            return self._copy(_offset=offset or None, _limit=limit)
        if not isinstance(item, int):
            raise TypeError("QuerySet indices must be integers or slices")
        return self._rows()[item]

    def first(self) -> SQLRecord | None:
        """The first record in the query's order, or None."""
        rows = self._copy(_limit=1)._rows()
        return rows[0] if rows else None

    def last(self) -> SQLRecord | None:
        rows = self._rows()
        return rows[-1] if rows else None

    def one(self) -> SQLRecord:
        """Exactly one record: DoesNotExist for none, MultipleResultsFound for more."""
        rows = self._copy(_limit=2)._rows()
        if not rows:
            raise DoesNotExist(f"no {self.model.__name__} matches {self._describe()}")
        if len(rows) > 1:
            raise MultipleResultsFound(f"more than one {self.model.__name__} matches {self._describe()}")
        return rows[0]

    def one_or_none(self) -> SQLRecord | None:
        try:
            return self.one()
        except DoesNotExist:
            return None

    def to_list(self, field: str | None = None) -> list:
        rows = self._rows()
        return [getattr(r, field) for r in rows] if field else list(rows)

    def to_dataframe(self) -> Any:
        """A pandas DataFrame of the records' fields, indexed by id (pandas imported here)."""
        return records_to_dataframe(self._rows(), self.model)

    df = to_dataframe

    def delete(self, permanent: bool | None = None) -> None:
        for record in self._rows():
            record.delete(permanent=permanent)

    def search(self, string: str, *, limit: int = 20) -> RecordList:
        return self.model.search(string, limit=limit)

    def _describe(self) -> str:
        return ", ".join(f"{f}__{l}={v!r}" for f, l, v in self._filters) or "the query"

    def __repr__(self) -> str:
        rows = self._copy(_limit=10)._rows() if self._limit is None or self._limit > 10 else self._rows()
        more = ", ..." if len(rows) == 10 else ""
        return f"<QuerySet [{', '.join(map(repr, rows))}{more}]>"


class RecordList(list):
    """Records already fetched (search hits, a collection's members, versions), with the
    QuerySet calls that make sense on them."""

    def __init__(self, model: type[SQLRecord], records: Sequence[SQLRecord] = ()) -> None:
        super().__init__(records)
        self.model = model

    def all(self) -> RecordList:
        return self

    def first(self) -> SQLRecord | None:
        return self[0] if self else None

    def last(self) -> SQLRecord | None:
        return self[-1] if self else None

    def one(self) -> SQLRecord:
        if len(self) != 1:
            raise (DoesNotExist if not self else MultipleResultsFound)(
                f"{len(self)} {self.model.__name__} records, not one")
        return self[0]

    def count(self) -> int:  # type: ignore[override]
        return len(self)

    def to_list(self, field: str | None = None) -> list:
        return [getattr(r, field) for r in self] if field else list(self)

    def to_dataframe(self) -> Any:
        return records_to_dataframe(self, self.model)

    df = to_dataframe


def records_to_dataframe(records: Sequence[SQLRecord], model: type[SQLRecord]) -> Any:
    import pandas as pd

    rows = [r._fields for r in records]
    columns = list(rows[0]) if rows else list(model._columns)
    frame = pd.DataFrame(rows, columns=columns)
    if "id" in frame.columns:
        frame = frame.set_index("id")
    return frame
