"""Response models of the API (Pydantic v2).

Decimal quantities (output, coordinates) are JSON strings, never floats, so that no
client reads `22.00` kW as `21.999999`. Times are timezone-aware ISO 8601. Text that
echoes a request (a refused EVSE ID, a message quoting a field) is `EchoedText`: a lone
UTF-16 surrogate in it is shown as U+FFFD, since no UTF-8 answer can carry it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from evsenet.api.problems import displayable
from evsenet.domain.errors import REPORT_LIMIT, RecordProblem, bounded_text, reported
from evsenet.domain.inventory import EvsePage as DomainEvsePage
from evsenet.domain.inventory import StoredEvse
from evsenet.services.inventory import ImportSummary as DomainImportSummary
from evsenet.store.repositories.operators import OperatorRow

EchoedText = Annotated[str, AfterValidator(displayable)]


def decimal_text(value: Decimal) -> str:
    """A decimal in plain notation (`100.00`, never `1.0E+2`)."""
    return format(value, "f")


class Location(BaseModel):
    country: str = Field(description="ISO 3166-1 alpha-3 code, e.g. DEU")
    city: str
    postal_code: str
    street: str
    house_number: str


class Coordinates(BaseModel):
    latitude: str = Field(description="Decimal degrees as a string, e.g. '52.480495'")
    longitude: str = Field(description="Decimal degrees as a string, e.g. '13.356465'")


class Evse(BaseModel):
    """One EVSE. The four key facts come first: ID, location, power type, output."""

    evse_id: str = Field(description="The EVSE ID as the operator sent it")
    location: Location
    power_type: Literal["AC_1_PHASE", "AC_3_PHASE", "DC"]
    output_kw: str = Field(description="Output in kW as a decimal string, e.g. '22.00'")
    charging_station_id: str
    coordinates: Coordinates
    plugs: list[str]
    time_zone: str = Field(description="IANA time zone of the site, e.g. Europe/Berlin")
    status: Literal["active", "withdrawn"]
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, stored: StoredEvse) -> Evse:
        record = stored.record
        return cls(
            evse_id=record.evse_id.sent,
            location=Location(
                country=record.country,
                city=record.city,
                postal_code=record.postal_code,
                street=record.street,
                house_number=record.house_number,
            ),
            power_type=record.power_type.value,
            output_kw=decimal_text(record.output_kw),
            charging_station_id=record.charging_station_id,
            coordinates=Coordinates(
                latitude=decimal_text(record.latitude),
                longitude=decimal_text(record.longitude),
            ),
            plugs=list(record.plugs),
            time_zone=record.time_zone,
            status="withdrawn" if stored.withdrawn_at else "active",
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            withdrawn_at=stored.withdrawn_at,
        )


class EvsePage(BaseModel):
    items: list[Evse]
    total: int = Field(description="How many EVSEs match the filter, on all pages")
    limit: int
    offset: int

    @classmethod
    def of(cls, page: DomainEvsePage) -> EvsePage:
        return cls(
            items=[Evse.of(item) for item in page.items],
            total=page.total,
            limit=page.page.limit,
            offset=page.page.offset,
        )


def _absent(value: object) -> bool:
    return value is None


class RecordError(BaseModel):
    """Why one record of a batch was refused. `line` (files) or `index` (OICP) says where."""

    model_config = ConfigDict(populate_by_name=True)

    line: int | None = Field(
        default=None, exclude_if=_absent, description="Line of the file (header = 1)"
    )
    index: int | None = Field(
        default=None, exclude_if=_absent, description="0-based index of the OICP record"
    )
    evse_id: EchoedText | None
    field: str
    code: str
    message: EchoedText

    @classmethod
    def of(cls, problem: RecordProblem) -> RecordError:
        position = "line" if problem.position_kind == "line" else "index"
        return cls.model_validate(
            {
                position: problem.position,
                "evse_id": problem.evse_id,
                "field": problem.field,
                "code": problem.code,
                "message": bounded_text(problem.message),
            }
        )


class ImportSummary(BaseModel):
    """What a push or import did. `inserted` counts withdrawn EVSEs that came back too."""

    action: str
    received: int
    inserted: int
    updated: int
    unchanged: int
    withdrawn: int
    rejected: list[RecordError] = Field(
        description="Records skipped (skip_invalid=true): why each was refused; the first "
        f"{REPORT_LIMIT} problems"
    )
    rejected_not_shown: int = Field(
        0, description="How many more problems there are than `rejected` lists"
    )
    committed: bool

    @classmethod
    def of(cls, summary: DomainImportSummary) -> ImportSummary:
        shown, not_shown = reported(summary.rejected)
        return cls(
            action=summary.action,
            received=summary.received,
            inserted=summary.inserted,
            updated=summary.updated,
            unchanged=summary.unchanged,
            withdrawn=summary.withdrawn,
            rejected=[RecordError.of(problem) for problem in shown],
            rejected_not_shown=not_shown,
            committed=summary.committed,
        )


class Operator(BaseModel):
    id: str = Field(description="The operator ID, e.g. DE*ABC")
    name: str
    sub_operators: list[str] = Field(
        description="Operator ID prefixes this operator may push EVSEs for"
    )

    @classmethod
    def of(cls, row: OperatorRow) -> Operator:
        return cls(id=row.operator_id.display, name=row.name, sub_operators=list(row.sub_operators))


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    schema_revision: str


OICP_INFO_LIMIT = 1000
"""OICP 2.3 StatusCodeType: AdditionalInfo holds at most 1000 characters."""


class OicpStatusCode(BaseModel):
    Code: str = Field(pattern=r"^[0-9]{3}$", examples=["000", "018", "022"])
    Description: str = Field(max_length=200)
    AdditionalInfo: EchoedText | None = Field(default=None, max_length=OICP_INFO_LIMIT)


class OicpAcknowledgement(BaseModel):
    """OICP 2.3 eRoamingAcknowledgement."""

    Result: bool
    StatusCode: OicpStatusCode
