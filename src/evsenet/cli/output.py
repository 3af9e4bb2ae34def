"""What the `evsenet` command line prints: tables, JSON, progress bars and errors.

Human output goes to stdout through Rich; notes, progress and errors go to stderr, so
that `--json` output on stdout stays exactly one JSON document. An error is one line,
`error [code]: message`, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Column, Table

from evsenet.api.schemas import EvsePage as EvsePageJson
from evsenet.domain.errors import DomainError, RecordProblem
from evsenet.domain.ids import InvalidId
from evsenet.domain.inventory import EvsePage
from evsenet.services.inventory import ImportSummary
from evsenet.store.repositories.operators import OperatorRow

USAGE = 2
"""Exit code of a usage or input error (what click itself uses for bad options)."""
REFUSED = 1
"""Exit code when evsenet refused something (a rule, a record, a missing object)."""
INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""
MAX_REJECTED_ROWS = 50

INPUT_ERROR_PREFIXES = (
    "config.",
    "operator_id.",
    "provider_id.",
    "evse_id.",
    "country.",
    "filter.",
    "page.",
    "action.",
    "import.",
    "cli.",
    "csv.header.",
    "bnetza.header.",
    "afdc.header.",
    "oicp.body.",
    "ocpi.",
)
"""Error codes that mean the command line or the input file was wrong: exit code 2."""

STAGE_LABELS = {"validate": "Validating records", "write": "Writing to the database"}


class CliProblem(Exception):
    """A problem the command line itself found (an unreadable file, a bad option)."""

    def __init__(self, code: str, message: str, exit_code: int = USAGE) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.exit_code = exit_code


def exit_code_for(error: DomainError) -> int:
    if isinstance(error, InvalidId) or error.code.startswith(INPUT_ERROR_PREFIXES):
        return USAGE
    return REFUSED


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def print_error(code: str, message: str) -> None:
    """One line on stderr: `error [code]: message`."""
    one_line = " ".join(message.split())
    typer.echo(f"error [{code}]: {one_line}", err=True)


def note(message: str) -> None:
    """A remark for the person at the terminal, on stderr (never mixed into JSON)."""
    typer.echo(message, err=True)


def say(message: str) -> None:
    typer.echo(message)


def print_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def print_json_error(code: str, message: str, field: str | None = None) -> None:
    """With --json, an error is a JSON object on stdout too: `{"error": {…}}`."""
    print_json({"error": {"code": code, "message": message, "field": field}})


def operator_json(row: OperatorRow) -> dict[str, object]:
    return {
        "operator_id": row.operator_id.display,
        "name": row.name,
        "sub_operators": list(row.sub_operators),
        "created_at": row.created_at.isoformat(),
    }


def describe_operator(row: OperatorRow) -> str:
    name = f" ({row.name})" if row.name else ""
    subs = ", ".join(row.sub_operators) or "none"
    return f"{row.operator_id.display}{name}; sub-operators: {subs}"


def print_operators(rows: Sequence[OperatorRow], as_json: bool) -> None:
    if as_json:
        print_json({"total": len(rows), "items": [operator_json(row) for row in rows]})
        return
    table = Table("Operator ID", "Name", "Sub-operators", "Registered")
    for row in rows:
        registered = f"{row.created_at:%Y-%m-%d %H:%M} UTC"
        table.add_row(row.operator_id.display, row.name, ", ".join(row.sub_operators), registered)
    stdout().print(table)
    say(f"{len(rows)} operator{'s' if len(rows) != 1 else ''}")


def print_evses(page: EvsePage, as_json: bool) -> None:
    """The four key facts of each EVSE (ID, location, power type, output) and its status."""
    if as_json:
        print_json(EvsePageJson.of(page).model_dump(mode="json"))
        return
    table = Table(  # the key facts are never cut short: long words fold
        Column("EVSE ID", overflow="fold"),
        Column("Location", overflow="fold"),
        Column("Power type", overflow="fold", min_width=len("AC_3_PHASE")),
        Column("Output kW", justify="right", no_wrap=True, min_width=len("1000.00")),
        Column("Status", no_wrap=True, min_width=len("withdrawn")),
    )
    for item in page.items:
        record = item.record
        output = format(record.output_kw, "f")
        table.add_row(
            record.evse_id.sent, record.location, record.power_type.value, output, item.status
        )
    stdout().print(table)
    say(_page_line(page))


def _page_line(page: EvsePage) -> str:
    if not page.items:
        return f"No EVSEs on this page; {page.total} match in all"
    first = page.page.offset + 1
    last = page.page.offset + len(page.items)
    line = f"EVSEs {first}–{last} of {page.total}"
    if last < page.total:
        line += f" (next page: --offset {last})"
    return line


def print_summary(summary: ImportSummary, as_json: bool, source: str) -> None:
    """What an import did: one JSON object, or a sentence and the refused records."""
    if as_json:
        print_json(summary.as_dict())
        return
    say(
        f"{source}: {_records(summary.received)} ({summary.action}); "
        f"inserted {summary.inserted}, updated {summary.updated}, "
        f"unchanged {summary.unchanged}, withdrawn {summary.withdrawn}, "
        f"refused {_refused_records(summary.rejected)}"
    )
    if summary.rejected:
        print_rejected(summary.rejected)
    if not summary.committed:
        say(
            "Nothing was written: fix the refused records and import the file again, "
            "or import with --skip-invalid to keep the valid records."
        )
    elif summary.rejected:
        say("The valid records were written; the refused ones above were skipped.")


def _records(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


def _refused_records(problems: Sequence[RecordProblem]) -> int:
    return len({(problem.position_kind, problem.position) for problem in problems})


def print_rejected(problems: Sequence[RecordProblem]) -> None:
    """The refused records, at most MAX_REJECTED_ROWS of them, then how many more."""
    kind = problems[0].position_kind.capitalize()
    table = Table(title="Refused records")
    for header in (kind, "EVSE ID", "Field", "Code"):
        table.add_column(header, no_wrap=True)
    table.add_column("Message", min_width=20)
    for problem in problems[:MAX_REJECTED_ROWS]:
        table.add_row(
            str(problem.position),
            problem.evse_id or "",
            problem.field,
            problem.code,
            problem.message,
        )
    stdout().print(table)
    if len(problems) > MAX_REJECTED_ROWS:
        say(f"… and {len(problems) - MAX_REJECTED_ROWS} more (use --json to see them all)")


class ImportProgress:
    """Feeds `progress(stage, done, total)` to a progress bar, when there is one, and
    remembers how far the import came, to say what a Ctrl-C left behind.

    `import_evses` reports the end of its write stage inside the write transaction, just
    before the commit: an interruption before that report leaves nothing written.
    """

    def __init__(self, bar: Progress | None = None) -> None:
        self.bar = bar
        self.tasks: dict[str, TaskID] = {}
        self.last: tuple[str, int, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.last = (stage, done, total)
        if self.bar is not None:
            self._show(self.bar, stage, done, total)

    def _show(self, bar: Progress, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            for task in self.tasks.values():
                bar.update(task, completed=bar.tasks[task].total)
            self.tasks[stage] = bar.add_task(STAGE_LABELS.get(stage, stage), total=total)
        bar.update(self.tasks[stage], completed=done, total=total)

    @property
    def all_written(self) -> bool:
        """Every write was done: the import was committing, or had committed."""
        if self.last is None:
            return False
        stage, done, total = self.last
        return stage == "write" and done == total

    def interruption(self, operator: str) -> str:
        """What a Ctrl-C during the import means for the inventory."""
        if not self.all_written:
            return "the import was rolled back; nothing was written"
        return (
            "the import was being committed: it is written in full or not at all; "
            f"check with `evsenet evses list --operator {operator}`"
        )


@contextmanager
def import_progress(shown: bool) -> Iterator[ImportProgress]:
    """An import's progress: a transient Rich progress bar on stderr when `shown`."""
    if not shown:
        yield ImportProgress()
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=stderr(), transient=True) as bar:
        yield ImportProgress(bar)


def interactive(as_json: bool) -> bool:
    """Show progress bars: stdout and stderr are terminals (a person watches, nothing is
    redirected) and no JSON was asked for."""
    return not as_json and sys.stdout.isatty() and sys.stderr.isatty()
