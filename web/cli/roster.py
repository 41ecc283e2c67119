"""`walkthrough roster import PATH [--dry-run] [--level SOURCEDID=LEVEL ...]`: a
district's OneRoster export (1.1 or 1.2 CSV, a folder or a zip) brought in, all of it
or nothing. What will change is printed first; teachers' and students' names never
are (counts only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from walkthrough.errors import DomainError
from walkthrough.roster_import import (
    MAX_ARCHIVE_BYTES,
    MAX_FILE_BYTES,
    READ,
    RosterRefused,
    RosterReport,
    files_in_zip,
    plan_import,
)
from web.cli.store import opened
from web.routes.directory import apply_plan

roster = typer.Typer(help="A district's people and schools from its OneRoster export.",
                     no_args_is_help=True, add_completion=False)


def read_export(path: Path) -> dict[str, bytes]:
    """The files of an export: a zip, or a folder of CSV files (within the same limits)."""
    if path.is_dir():
        found: dict[str, bytes] = {}
        for name in READ:
            file = path / name
            if file.is_file():
                if file.stat().st_size > MAX_FILE_BYTES:
                    raise RosterRefused.one(name, f"is over {MAX_FILE_BYTES} bytes")
                found[name] = file.read_bytes()
        return found
    if path.stat().st_size > MAX_ARCHIVE_BYTES:
        raise RosterRefused.one(path.name, f"is over {MAX_ARCHIVE_BYTES} bytes")
    return files_in_zip(path.read_bytes())


def _levels(given: list[str]) -> dict[str, str]:
    levels: dict[str, str] = {}
    for entry in given:
        source_id, sep, level = entry.partition("=")
        if not sep or not source_id or not level:
            typer.echo(f"error: --level {entry!r}: write SOURCEDID=elementary|middle|high",
                       err=True)
            raise typer.Exit(code=2)
        levels[source_id.strip()] = level.strip()
    return levels


def describe(report: RosterReport) -> list[str]:
    """The report in lines for people: what will change, then what is skipped."""
    lines = [f"OneRoster {report.version}: {report.changes} change(s)"]
    if report.district:
        lines.append(f"district named: {report.district}")
    for school in report.schools_added:
        lines.append(f"+ school {school.name} ({school.source_id}), {school.level} "
                     f"(level from {school.level_from})")
    for school in report.schools_changed:
        lines.append(f"~ school {school.name} ({school.source_id}): "
                     f"{', '.join(school.changes)}")
    for school in report.levels_needed:
        lines.append(f"? school {school.name} ({school.source_id}): no grades in the files; "
                     f"set its level with --level {school.source_id}=elementary|middle|high")
    for person in report.people_added:
        where = f" at {person.school}" if person.school else ""
        lines.append(f"+ {person.name} <{person.email or 'no email'}>: "
                     f"{', '.join(person.roles)}{where}")
    for person in report.people_changed:
        lines.append(f"~ {person.name} ({person.user_id}): {', '.join(person.changes)}")
    for person in report.people_deactivated:
        lines.append(f"- {person.name} ({person.user_id}): deactivated; their tablets are "
                     "signed out")
    lines.append(f"unchanged: {report.schools_unchanged} school(s), "
                 f"{report.people_unchanged} person(s)")
    for person in report.not_in_files:
        lines.append(f"  {person.name} ({person.user_id}) is not in the files: kept")
    for staff in report.staff:
        lines.append(f"staff roster of {staff.school}: {staff.names} name(s)")
    for skipped in report.skipped:
        lines.append(f"skipped {skipped.rows} row(s): {skipped.reason}")
    lines += [f"note: {note}" for note in report.notes]
    return lines


@roster.command("import")
def import_roster(
    path: Annotated[Path, typer.Argument(help="A OneRoster export: a .zip or a folder of CSV "
                                        "files (orgs.csv, users.csv, roles.csv...)")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Say what would change; change nothing")] = False,
    level: Annotated[list[str] | None, typer.Option(
        help="A school's level when its grades are not in the files: "
             "SOURCEDID=elementary|middle|high|k8|other (repeat for each school)")] = None,
) -> None:
    """Import a district's OneRoster export (1.1 or 1.2 CSV): schools, administrators as
    hosts and coaches, district administrators as organizers, teachers' names into the
    staff rosters. All of it or nothing; the same files again change nothing."""
    if not path.exists():
        typer.echo(f"error: {path} does not exist", err=True)
        raise typer.Exit(code=2)
    levels = _levels(level or [])
    with opened() as services:
        try:
            plan = plan_import(read_export(path), services.app.district(), levels)
        except DomainError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(code=1) from None
        for line in describe(plan.report):
            typer.echo(line)
        if not plan.report.can_apply:
            typer.echo("error: nothing was imported: set the levels above", err=True)
            raise typer.Exit(code=1)
        if dry_run:
            typer.echo("dry run: nothing was changed")
            return
        try:
            recorded = apply_plan(services, plan)
        except DomainError as exc:
            typer.echo(f"error: nothing was imported: {exc.message}", err=True)
            raise typer.Exit(code=1) from None
        services.projector.catch_up()
        typer.echo(f"imported: {len(recorded)} change(s) recorded" if recorded
                   else "nothing to change: the district already matches the files")
