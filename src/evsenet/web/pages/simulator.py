"""The pricing simulator of an offer (a draft or a published version).

"What does a 30 kWh, 45-minute session starting Tuesday 18:30 at this EVSE cost for this
provider?" The form is read into a `SessionPlan` (local wall-clock times at the EVSE) and
priced by `services.pricing.simulate`; the answer is the totals, the itemised breakdown
and the breakdown as stacked bars drawn in server-rendered SVG. A refusal is shown next
to the field it concerns, in the page (without JavaScript) or in place (htmx).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from evsenet.api.problems import status_of
from evsenet.domain.errors import DomainError
from evsenet.domain.pricing.priced_session import Simulation
from evsenet.domain.pricing.simulation import WEEKDAYS, SessionPlan, bar_chart
from evsenet.services import pricing, simulator_page
from evsenet.web.rendering import is_htmx, render, templates
from evsenet.web.session import CheckedSession, Operator, StoreDep

router = APIRouter()
MINUTES = re.compile(r"-?[0-9]{1,9}")
NUMBER = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,12})?")
"""Plain ASCII notation: no exponent, no `NaN`, no `Infinity`, no thousands separators."""
OfferId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Search = Annotated[str, Query(max_length=200)]
FORM_FIELDS = (
    "evse_id",
    "provider_id",
    "weekday",
    "date",
    "start_time",
    "charging_minutes",
    "idle_minutes",
    "energy_kwh",
)
DEFAULTS = {
    "weekday": "1",
    "start_time": "18:30",
    "charging_minutes": "45",
    "idle_minutes": "0",
    "energy_kwh": "30",
}
"""The form's first values: the question the simulator is for (Tuesday 18:30, 45 minutes,
30 kWh)."""
FIELD_OF = {
    "evse_id": "evse_id",
    "evse": "evse_id",
    "time_zone": "evse_id",
    "provider_id": "provider_id",
    "energy_kwh": "energy_kwh",
    "session_start": "date",
    "start_day": "date",
    "start_time": "start_time",
    "session_end": "charging_minutes",
    "charging_start": "charging_minutes",
    "charging_end": "charging_minutes",
    "charging_minutes": "charging_minutes",
    "idle_minutes": "idle_minutes",
}
"""The form field a problem belongs to, by the problem's field (or its code's first part,
for identifiers: `evse_id.malformed`)."""
COMPONENT_LABELS = {
    "CHARGING_ENERGY": "Energy",
    "CHARGING_TIME": "Charging time",
    "PARKING": "Parking",
    "SESSION": "Flat (per session)",
    "RESERVATION": "Reservation",
}


@dataclass
class FormState:
    """What the person sent (or the defaults) and the problems per field."""

    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)
    problem: DomainError | None = None
    """A refusal that concerns no one field (shown above the form)."""

    def refuse(self, error: DomainError) -> None:
        target = FIELD_OF.get(error.field or error.code.split(".")[0])
        if target is None:
            self.problem = error
        else:
            self.problems.setdefault(target, error.message)


def _local(moment: datetime, zone: str, pattern: str = "%a %Y-%m-%d %H:%M") -> str:
    """An instant as the EVSE's wall clock shows it."""
    return moment.astimezone(ZoneInfo(zone)).strftime(pattern)


def _percent(fraction: Decimal) -> str:
    return format(fraction * 100, ".3f")


def _quantity(value: Decimal) -> str:
    """A line's quantity to four decimals, as its amounts (the API keeps every digit)."""
    return format(value.quantize(Decimal("0.0001")).normalize(), "f")


templates.env.filters["local"] = _local
templates.env.filters["percent"] = _percent
templates.env.filters["quantity"] = _quantity


def _integer(state: FormState, name: str, label: str) -> int:
    text = state.values.get(name, "").strip() or "0"
    if not MINUTES.fullmatch(text):
        state.problems[name] = f"{label} is a whole number of minutes, e.g. 45 (not {text!r})"
        return 0
    return int(text)


def _parsed(state: FormState, name: str, parse: type[date] | type[time], hint: str) -> object:
    text = state.values.get(name, "").strip()
    if not text:
        return None
    try:
        return parse.fromisoformat(text)
    except ValueError:
        state.problems[name] = f"{text!r} is not {hint}"
        return None


def _energy(state: FormState) -> Decimal:
    text = state.values.get("energy_kwh", "").strip()
    try:
        if not NUMBER.fullmatch(text):
            raise InvalidOperation
        return Decimal(text)
    except InvalidOperation:
        state.problems["energy_kwh"] = f"Energy is a number of kWh, e.g. 30 or 7.5 (not {text!r})"
        return Decimal(0)


def _plan(state: FormState) -> SessionPlan | None:
    """The form as a plan; None (with the problems noted) when a value cannot be read."""
    weekday = state.values.get("weekday", "")
    on = _parsed(state, "date", date, "a date like 2027-01-05")
    start_time = _parsed(state, "start_time", time, "a time like 18:30")
    plan_time = start_time if isinstance(start_time, time) else None
    if plan_time is None and "start_time" not in state.problems:
        state.problems["start_time"] = "Give the local time the session starts, e.g. 18:30"
    charging = _integer(state, "charging_minutes", "Charging time")
    idle = _integer(state, "idle_minutes", "Idle time")
    energy = _energy(state)
    if state.problems or plan_time is None:
        return None
    return SessionPlan(
        evse_id=state.values.get("evse_id", ""),
        provider_id=state.values.get("provider_id", ""),
        start_time=plan_time.replace(second=0, microsecond=0, tzinfo=None),
        on=on if isinstance(on, date) else None,
        weekday=int(weekday) if weekday in {"0", "1", "2", "3", "4", "5", "6"} else None,
        charging_minutes=charging,
        idle_minutes=idle,
        energy_kwh=energy,
        now=datetime.now(UTC),
    )


def _context(state: FormState, simulation: Simulation | None) -> dict[str, object]:
    return {
        "form": state,
        "weekdays": WEEKDAYS,
        "labels": COMPONENT_LABELS,
        "simulation": simulation,
        "chart": bar_chart(simulation.chart) if simulation and simulation.chart else None,
    }


def _frame(
    form: simulator_page.SimulatorForm, search: str = "", city: str = ""
) -> dict[str, object]:
    """The page around the form: the offer and the EVSE choices."""
    return {
        "offer": form.offer,
        "offer_id": form.offer.id,
        "evses": form.evses,
        "search": search,
        "city": city,
    }


@router.get("/offers/{offer_id}/simulator")
def simulator(
    request: Request,
    store: StoreDep,
    operator: Operator,
    offer_id: OfferId,
    q: Search = "",
    city: Search = "",
) -> Response:
    form = simulator_page.simulator_form(store, operator, offer_id, q, city)
    context = {**_frame(form, q, city), **_context(FormState(dict(DEFAULTS)), None)}
    return render(request, "simulator.html", context)


@router.get("/offers/{offer_id}/simulator/evses")
def simulator_evses(
    request: Request,
    store: StoreDep,
    operator: Operator,
    offer_id: OfferId,
    q: Search = "",
    city: Search = "",
) -> Response:
    """The EVSE choices matching a search (the options of the EVSE field, for htmx)."""
    form = simulator_page.simulator_form(store, operator, offer_id, q, city)
    return render(request, "_simulator_evses.html", _frame(form, q, city))


@router.get("/offers/{offer_id}/simulator/zone")
def simulator_zone(
    request: Request,
    store: StoreDep,
    operator: Operator,
    offer_id: OfferId,
    evse_id: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The time zone the chosen EVSE's local times are read in (a hint next to the time)."""
    zone = None
    try:
        zone = simulator_page.evse_time_zone(store, operator, offer_id, evse_id)
    except DomainError as error:
        if error.code == "offer.not_found":
            raise
    return render(request, "_simulator_zone.html", {"zone": zone, "evse_id": evse_id})


@router.post("/offers/{offer_id}/simulator")
async def simulator_run(
    request: Request, store: StoreDep, session: CheckedSession, offer_id: OfferId
) -> Response:
    """Simulate the form's session. With htmx only the form and the answer are swapped;
    without, the whole page (offer and EVSE choices, read first) is answered."""
    operator = session.operator
    sent = await request.form()
    values = {
        name: value[:200] for name in FORM_FIELDS if isinstance(value := sent.get(name, ""), str)
    }
    frame = (
        {}
        if is_htmx(request)
        else _frame(simulator_page.simulator_form(store, operator, offer_id), "")
    )
    state = FormState(values)
    simulation = None
    status = 200
    plan = _plan(state)
    if plan is None:
        status = 422
    else:
        try:
            simulation = pricing.simulate(store, operator, offer_id, plan)
        except DomainError as error:
            if error.code == "offer.not_found":
                raise
            state.refuse(error)
            status = status_of(error)
    context = {**frame, "offer_id": offer_id, **_context(state, simulation)}
    if is_htmx(request):
        headers = {"X-Evsenet-Swap": "report"} if status >= 400 else {}
        return render(request, "_simulator.html", context, status=status, headers=headers)
    return render(request, "simulator.html", context, status=status)
