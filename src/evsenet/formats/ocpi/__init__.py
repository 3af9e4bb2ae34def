"""OCPI 2.2.1 in and out: strict Tariff and CDR reading, Tariff writing."""

from evsenet.formats.ocpi._json import dumps
from evsenet.formats.ocpi.cdrs import CdrDimension, OcpiCdr, read_cdr
from evsenet.formats.ocpi.tariffs import (
    OcpiTariff,
    OcpiTariffExport,
    read_tariff,
    write_tariff,
)

__all__ = [
    "CdrDimension",
    "OcpiCdr",
    "OcpiTariff",
    "OcpiTariffExport",
    "dumps",
    "read_cdr",
    "read_tariff",
    "write_tariff",
]
