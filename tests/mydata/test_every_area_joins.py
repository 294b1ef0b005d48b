"""Every area joins the export and the deletion through its hook, so a table added later
that points at a person cannot be forgotten without this failing."""

from __future__ import annotations

from sharon.extensions import db
from sharon.mydata.registry import AREAS, KEPT_FOR_THE_TEAM


def _tables_pointing_at_people() -> set[str]:
    return {table.name for table in db.metadata.sorted_tables
            for key in table.foreign_keys if key.column.table.name == "users"}


def test_every_table_that_points_at_a_person_is_some_area_s_or_the_team_s(app):
    covered = set().union(*(area.tables for area in AREAS.values()))
    assert len(_tables_pointing_at_people()) > 20
    missing = _tables_pointing_at_people() - covered - set(KEPT_FOR_THE_TEAM)
    assert missing == set(), (
        f"{sorted(missing)} point at users.id but no area's mydata hook declares them: "
        "add them to that area's mydata.py (export and erase), or, if they are the "
        "team's own records, to KEPT_FOR_THE_TEAM with the reason")


def test_no_table_is_both_exported_and_kept_for_the_team_and_none_is_stale(app):
    covered = set().union(*(area.tables for area in AREAS.values()))
    assert covered.isdisjoint(KEPT_FOR_THE_TEAM)
    known = {table.name for table in db.metadata.sorted_tables}
    assert (covered | set(KEPT_FOR_THE_TEAM)) <= known


def test_every_area_registered_from_the_app_factory_exports_something(app, make_user):
    assert set(AREAS) == {"account", "forums", "library", "wall", "inbox", "sanctions",
                          "staying_well"}
    member = make_user(username="river")
    for area in AREAS.values():
        names = [name for name, _rows in area.export(member)]
        assert names and all(name.endswith(".json") for name in names), area.name
