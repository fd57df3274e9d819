"""The raw input contract, loaded from the project copy ``raw_contract.yml``.

One loader for every consumer: the generator, the raw-file validation and the
renderer of the dbt sources YAML all read the contract through ``load()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

CONTRACT_FILE = "raw_contract.yml"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, integer, decimal(p,s), boolean, date, timestamp
    required: bool = False
    values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    gt: float | None = None
    pattern: str | None = None

    @property
    def base_type(self) -> str:
        """The logical type without precision: ``decimal(14,2)`` -> ``decimal``."""
        return self.type.split("(")[0]

    @property
    def precision_scale(self) -> tuple[int, int] | None:
        match = re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", self.type)
        return (int(match.group(1)), int(match.group(2))) if match else None


@dataclass(frozen=True)
class Table:
    name: str
    grain: str
    key: tuple[str, ...]
    columns: dict[str, Column]
    required: bool
    version_column: str | None = None
    parents: dict[str, str] = field(default_factory=dict)
    erasure: tuple[str, ...] = ()
    description: str = ""
    feeds: str = ""  # optional tables: what a build without its rows goes without


@dataclass(frozen=True)
class Contract:
    version: int
    tables: dict[str, Table]

    @property
    def required_tables(self) -> list[str]:
        return [name for name, table in self.tables.items() if table.required]


def contract_text() -> str:
    return resources.files(__package__).joinpath(CONTRACT_FILE).read_text(encoding="utf-8")


def _table_descriptions(text: str) -> dict[str, str]:
    """The trailing comment of each table line (`  orders:   # first-party ...`)."""
    found = re.findall(r"^  (\w+):\s*#\s*(.+)$", text, flags=re.MULTILINE)
    return {name: comment.strip() for name, comment in found}


def _column_spec(spec: dict) -> dict:
    """Undo a YAML quirk of the contract's flow mappings.

    ``{type: decimal(14,2), required: true}`` parses as ``type: 'decimal(14'``
    plus a key ``'2)'`` with no value, because the comma separates entries.
    The contract text is kept verbatim, so the loader puts the type together.
    """
    spec = dict(spec)
    type_ = str(spec["type"])
    if type_.startswith("decimal(") and not type_.endswith(")"):
        tail = next(k for k in spec if isinstance(k, str) and k.endswith(")") and k != "type")
        spec.pop(tail)
        spec["type"] = f"{type_},{tail.strip()}"
    return spec


@cache
def load() -> Contract:
    text = contract_text()
    raw = yaml.safe_load(text)
    descriptions = _table_descriptions(text)
    required = set(raw["required_tables"])
    tables = {}
    for name, spec in raw["tables"].items():
        columns = {}
        for col, c in spec["columns"].items():
            c = _column_spec(c)
            columns[col] = Column(
                name=col,
                type=c["type"],
                required=bool(c.get("required", False)),
                values=tuple(c["values"]) if "values" in c else None,
                min=c.get("min"),
                max=c.get("max"),
                gt=c.get("gt"),
                pattern=c.get("pattern"),
            )
        tables[name] = Table(
            name=name,
            grain=spec["grain"],
            key=tuple(spec["key"]),
            columns=columns,
            required=name in required,
            version_column=spec.get("version_column"),
            parents=dict(spec.get("parents") or {}),
            erasure=tuple(spec.get("erasure") or ()),
            description=descriptions.get(name, ""),
            feeds=str(spec.get("feeds") or ""),
        )
    return Contract(version=raw["version"], tables=tables)
