"""`evsenet offers`: service offers from Hubject's bodies — create (a draft, or published
at once), list, show, review, publish, new price versions.

Exit codes as every command: 0 done; 1 evsenet refused it (a rule of the offer, a
missing acknowledgement, a published offer); 2 an input error (an unreadable file, a body
that is not a valid offer: every problem is printed with its JSON path). With --json the
answer, or the error with its `problems`, is one JSON object on stdout.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from evsenet.cli.base import JsonOption, OperatorOption, command_group, open_store
from evsenet.cli.output import REFUSED, USAGE, CliProblem, print_error, print_json, say
from evsenet.domain.errors import DomainError, InvalidRecord
from evsenet.domain.network import Actor
from evsenet.formats._json_body import parse_json_object
from evsenet.formats.hubject_offer import read_create_offer, read_price_update
from evsenet.formats.hubject_offer_body import render_create_body
from evsenet.services import offers as service
from evsenet.services.offer_views import OfferReview, OfferView, PublishRefused

offers_app = command_group(
    "offers", "Service offers with Next Generation Pricing (Hubject's bodies)."
)
DEFAULT_VAT_PERCENT = 19
"""The VAT rate of a body without `vatPercent` (the API's default too)."""

OfferIdArgument = Annotated[int, typer.Argument(metavar="ID", help="The offer's id", min=1)]
BodyFile = Annotated[Path, typer.Argument(metavar="FILE", help="A JSON body in Hubject's shape")]
Acknowledge = Annotated[
    int | None,
    typer.Option(
        "--acknowledge-zero-priced",
        metavar="N",
        min=0,
        help="The count of the operator's EVSEs in no group (priced at zero) you accept",
    ),
]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliProblem(
            "cli.file_unreadable", f"Cannot read {path}: {error.strerror or error}"
        ) from None


def _parse(raw: bytes) -> Any:
    """The JSON object of a file; not JSON is an input error (exit code 2)."""
    try:
        return parse_json_object(raw)
    except InvalidRecord:
        raise
    except DomainError as error:
        raise CliProblem(error.code, error.message) from None


def _refused(invalid: InvalidRecord, as_json: bool, exit_code: int) -> NoReturn:
    """Every problem with its JSON path; exit code 2 (input) or 1 (blocking problems)."""
    problems = [{"field": p.field, "code": p.code, "message": p.message} for p in invalid.problems]
    if as_json:
        print_json({"error": {"code": invalid.code, "message": invalid.message,
                              "field": invalid.field, "problems": problems}})  # fmt: skip
    if isinstance(invalid, PublishRefused):
        print_error(invalid.code, invalid.message)
    for problem in invalid.problems:
        print_error(problem.code, f"{problem.field}: {problem.message}")
    raise typer.Exit(exit_code)


def _numbers(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda d: float(d) if d % 1 else int(d)))


def offer_json(view: OfferView) -> dict[str, object]:
    return {
        "id": view.id,
        "name": view.name,
        "status": view.status.value,
        "version": view.version,
        "previous_offer_id": view.previous_offer_id,
        "next_offer_id": view.next_offer_id,
        "effective_from": view.effective_from.isoformat(),
        "effective_to": view.effective_to.isoformat() if view.effective_to else None,
        "network_id": view.network_id,
        "network_name": view.network_name,
        "published_at": view.published_at.isoformat() if view.published_at else None,
        "body": _numbers(render_create_body(view.offer, placeholder_id=view.placeholder_id)),
    }


def _describe(view: OfferView) -> str:
    until = view.effective_to.isoformat() if view.effective_to else "no end"
    return (
        f"Offer {view.id} {view.name!r} ({view.status.value}, version {view.version}) on "
        f"network {view.network_name!r}, from {view.effective_from.isoformat()} to {until}"
    )


def _show(view: OfferView, as_json: bool) -> None:
    if as_json:
        print_json(offer_json(view))
        return
    say(_describe(view))
    for tariff in view.offer.tariffs:
        parts = ", ".join(
            f"{c.type.value} {c.cost}/{c.reference_unit.value}" for c in tariff.components
        )
        say(f"  tariff {tariff.name} ({tariff.currency.code}): {parts}")


@offers_app.command("create")
def create(
    ctx: typer.Context,
    file: BodyFile,
    operator: OperatorOption,
    publish: Annotated[bool, typer.Option(help="Publish at once (Hubject's create)")] = False,
    acknowledge: Acknowledge = None,
    as_json: JsonOption = False,
) -> None:
    """Create a draft offer from Hubject's create-offer body (or publish it at once)."""
    raw = _read(file)
    try:
        request = read_create_offer(
            _parse(raw), now=datetime.now(UTC), vat_percent=Decimal(DEFAULT_VAT_PERCENT)
        )
    except InvalidRecord as invalid:
        _refused(invalid, as_json, USAGE)
    store = open_store(ctx)
    try:
        if publish:
            view = service.create_and_publish(
                store, operator, request, acknowledge_zero_priced=acknowledge, actor=Actor.cli()
            )
        else:
            view = service.create_offer(store, operator, request, actor=Actor.cli())
    except PublishRefused as refused:
        _refused(refused, as_json, REFUSED)
    _show(view, as_json)


@offers_app.command("list")
def list_offers(ctx: typer.Context, operator: OperatorOption, as_json: JsonOption = False) -> None:
    """The operator's offers and price versions, newest first."""
    items = service.list_offers(open_store(ctx), operator)
    if as_json:
        print_json(
            {
                "items": [
                    {
                        "id": o.id,
                        "name": o.name,
                        "status": o.status.value,
                        "version": o.version,
                        "offer_to_all": o.offer_to_all,
                        "network_id": o.network_id,
                        "network_name": o.network_name,
                        "effective_from": o.effective_from.isoformat(),
                        "effective_to": o.effective_to.isoformat() if o.effective_to else None,
                    }
                    for o in items
                ]
            }
        )
        return
    if not items:
        say("No offers")
    for o in items:
        say(f"{o.id}\t{o.status.value}\tv{o.version}\t{o.name}\t{o.network_name}")


@offers_app.command("show")
def show(
    ctx: typer.Context,
    offer_id: OfferIdArgument,
    operator: OperatorOption,
    as_json: JsonOption = False,
) -> None:
    """One offer with its tariffs (--json: its whole body)."""
    _show(service.get_offer(open_store(ctx), operator, offer_id), as_json)


def review_json(review: OfferReview) -> dict[str, object]:
    return {
        "offer": offer_json(review.offer),
        "publishable": review.publishable,
        "problems": [
            {"code": p.code, "field": p.field, "message": p.message} for p in review.problems
        ],
        "groups": [
            {
                "group_id": g.group_id,
                "name": g.name,
                "currency": g.currency.code if g.currency else None,
                "covered_percent": str(g.covered_percent),
                "evse_count": g.evse_count,
            }
            for g in review.groups
        ],
        "zero_priced_count": review.zero_priced_count,
        "zero_priced_sample": [row.evse_id for row in review.zero_priced_sample],
    }


@offers_app.command("review")
def review(
    ctx: typer.Context,
    offer_id: OfferIdArgument,
    operator: OperatorOption,
    as_json: JsonOption = False,
) -> None:
    """What publishing would do: problems, groups, EVSEs priced at zero."""
    result = service.review_offer(open_store(ctx), operator, offer_id)
    if as_json:
        print_json(review_json(result))
        return
    say(_describe(result.offer))
    for g in result.groups:
        money = g.currency.code if g.currency else "no currency"
        say(f"  group {g.name}: {money}, {g.covered_percent} % of the week, {g.evse_count} EVSEs")
    say(f"  {result.zero_priced_count} EVSE(s) in no group, priced at zero")
    for row in result.zero_priced_sample:
        say(f"    {row.evse_id}")
    for p in result.problems:
        say(f"  problem [{p.code}]: {p.message}")
    say(
        "Publishable"
        if result.publishable
        else f"{len(result.problems)} problem(s) block publishing"
    )


@offers_app.command("publish")
def publish(
    ctx: typer.Context,
    offer_id: OfferIdArgument,
    operator: OperatorOption,
    acknowledge: Acknowledge = None,
    as_json: JsonOption = False,
) -> None:
    """Publish a draft (activates its network); EVSEs priced at zero need
    --acknowledge-zero-priced with their count."""
    try:
        view = service.publish_offer(
            open_store(ctx),
            operator,
            offer_id,
            acknowledge_zero_priced=acknowledge,
            actor=Actor.cli(),
        )
    except PublishRefused as refused:
        _refused(refused, as_json, REFUSED)
    _show(view, as_json)


@offers_app.command("update-prices")
def update_prices(
    ctx: typer.Context,
    offer_id: OfferIdArgument,
    file: BodyFile,
    operator: OperatorOption,
    as_json: JsonOption = False,
) -> None:
    """A new price version of an unlimited offer from Hubject's price-update body."""
    raw = _read(file)
    try:
        update = read_price_update(_parse(raw))
    except InvalidRecord as invalid:
        _refused(invalid, as_json, USAGE)
    try:
        view = service.add_price_version(
            open_store(ctx), operator, offer_id, update, actor=Actor.cli()
        )
    except PublishRefused as refused:
        _refused(refused, as_json, REFUSED)
    _show(view, as_json)
