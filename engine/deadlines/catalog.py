"""The deadline catalog (catalog.toml): every statutory time limit with its legal basis."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine.deadlines.counting import UNITS
from engine.errors import NotFound

CATALOG_FILE = Path(__file__).with_name("catalog.toml")
UNIT_WORDS = {"workday": "个工作日", "day": "日", "month": "个月", "year": "年", "hour": "小时"}
DEFAULT_WARN_BEFORE = 3


@dataclass(frozen=True)
class ExtensionRule:
    """How the agency may extend a clock: approved by `by` (a role), at most `max` of the clock's unit each time,
    `times` times; `further` names the record that allows more (a collective discussion of the heads)."""
    by: str
    max: int
    times: int
    basis: str
    further: str = ""


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    title: str
    period: int
    unit: str
    starts_on: str
    basis: str
    party_side: bool = False
    configurable: bool = False
    warn_before: int = DEFAULT_WARN_BEFORE
    direction: str = "after"
    note: str = ""
    met_by: tuple[str, ...] = ()  # case events that are the party's act this window waits for
    cancelled_by: tuple[str, ...] = ()  # case events that take the window's cause away
    extension: ExtensionRule | None = None  # None: the agency cannot extend this clock
    court: bool = False  # a period the court keeps: only the court extends it

    def ends_on(self, event: str) -> str | None:
        """'met' or 'cancelled' when this case event ends the clock, else None."""
        return "met" if event in self.met_by else "cancelled" if event in self.cancelled_by else None

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title, "period": self.period, "unit": self.unit,
                "starts_on": self.starts_on, "legal_basis": self.basis, "party_side": self.party_side,
                "configurable": self.configurable, "warn_before_workdays": self.warn_before, "note": self.note,
                "met_by": list(self.met_by), "cancelled_by": list(self.cancelled_by), "court": self.court,
                "extension": None if self.extension is None else {
                    "by": self.extension.by, "max": self.extension.max, "times": self.extension.times,
                    "further": self.extension.further or None, "basis": self.extension.basis}}


@lru_cache(maxsize=1)
def catalog() -> dict[str, CatalogEntry]:
    with CATALOG_FILE.open("rb") as handle:
        rows = tomllib.load(handle)["deadline"]
    entries = {}
    for row in rows:
        entry = CatalogEntry(key=row["key"], title=row["title"], period=int(row["period"]), unit=row["unit"],
                             starts_on=row["starts_on"], basis=row["basis"],
                             party_side=bool(row.get("party_side", False)),
                             configurable=bool(row.get("configurable", False)),
                             warn_before=int(row.get("warn_before", DEFAULT_WARN_BEFORE)),
                             direction=row.get("direction", "after"), note=row.get("note", ""),
                             met_by=tuple(row.get("met_by", ())), cancelled_by=tuple(row.get("cancelled_by", ())),
                             extension=_extension_rule(row.get("extension")), court=bool(row.get("court", False)))
        if entry.unit not in UNITS or entry.key in entries or entry.direction not in ("after", "before") \
                or ((entry.met_by or entry.cancelled_by) and not entry.party_side) \
                or (entry.extension is not None and (entry.party_side or entry.court)):
            raise ValueError(f"catalog.toml: bad entry {entry.key}")
        entries[entry.key] = entry
    return entries


def _extension_rule(row: dict | None) -> ExtensionRule | None:
    if row is None:
        return None
    rule = ExtensionRule(by=row["by"], max=int(row["max"]), times=int(row["times"]), basis=row["basis"],
                         further=row.get("further", ""))
    if rule.max <= 0 or rule.times <= 0 or rule.further not in ("", "collective_discussion"):
        raise ValueError(f"catalog.toml: bad extension {row}")
    return rule


def entry(key: str) -> CatalogEntry:
    try:
        return catalog()[key]
    except KeyError:
        raise NotFound(f"期限目录中没有 {key}。") from None


def is_known(key: str) -> bool:
    return key in catalog()
