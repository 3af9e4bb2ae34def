"""A realistic, deterministic EVSE inventory for demos and benchmarks.

`generate_evses(operator, count, seed)` spreads charging stations of 1–6 EVSEs over real
cities (Germany first, then its neighbours and a few US cities), at real postal codes and
streets, with coordinates near each city centre. About 70% of the EVSEs are AC (mostly
three-phase 11 or 22 kW, some single-phase 3.7 or 7.4 kW), the rest DC at 50, 150, 250
(US), 300 or 350 kW, with OICP plug names that fit: each plug carries the EVSE's output.
The same operator, count and seed always give the same records, in any process.
European sites lie in countries of one time zone, so the domain derives it; US sites
name theirs.

EVSE IDs are `<operator>*E<station>*<n>`: the station number has a fixed width, so that
no two IDs become equal once the `*` separators are ignored. A numeric operator
(`+49*810`) gets digits only: `+49*810*<station>*<n>`.
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate
from random import Random
from typing import Generic, TypeVar

from evsenet.domain.evse import EvseInput, PowerType
from evsenet.domain.ids import OperatorId
from evsenet.domain.inventory import PushAction
from evsenet.formats import ParsedBatch, ParsedItem, SourceRecord
from evsenet.memory import collector_paused

DEFAULT_SEED = 2026
COORDINATE_SPREAD = 0.05
"""Degrees of latitude either side of the city centre (longitude: scaled to match)."""
STATION_SIZES = (1, 2, 3, 4, 5, 6)
STATION_SIZE_WEIGHTS = (18, 50, 6, 16, 2, 8)
AC_SHARE = 0.7
MAX_HOUSE_NUMBER = 180
SUFFIX_SHARE = 0.08
"""Share of house numbers with a letter (`12a`)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class City:
    """A city the demo places stations in: centre, real postal codes and streets."""

    name: str
    code: str
    country: str
    latitude: float
    longitude: float
    weight: float
    postal_codes: tuple[str, ...]
    streets: tuple[str, ...]
    time_zone: str | None = None

    @property
    def american(self) -> bool:
        return self.country == "USA"


CITIES: tuple[City, ...] = (
    City("Berlin", "BER", "DEU", 52.520008, 13.404954, 14,
         ("10115", "10117", "10119", "10178", "10243", "10245", "10405", "10435", "10557",
          "10623", "10709", "10827", "12043", "12047", "13347", "14057"),
         ("Friedrichstraße", "Invalidenstraße", "Karl-Marx-Allee", "Kurfürstendamm",
          "Torstraße", "Schönhauser Allee", "Sonnenallee", "Hermannstraße", "Kantstraße",
          "Frankfurter Allee", "Potsdamer Straße", "Müllerstraße")),
    City("Hamburg", "HAM", "DEU", 53.551086, 9.993682, 9,
         ("20095", "20099", "20144", "20249", "20354", "20457", "22041", "22085", "22303",
          "22767"),
         ("Mönckebergstraße", "Jungfernstieg", "Eppendorfer Weg", "Max-Brauer-Allee",
          "Osterstraße", "Wandsbeker Chaussee", "Barmbeker Straße", "Holstenstraße")),
    City("München", "MUC", "DEU", 48.137154, 11.576124, 9,
         ("80331", "80333", "80335", "80469", "80634", "80797", "81369", "81541", "81667",
          "81675"),
         ("Leopoldstraße", "Sonnenstraße", "Lindwurmstraße", "Rosenheimer Straße",
          "Landsberger Straße", "Dachauer Straße", "Nymphenburger Straße", "Ungererstraße")),
    City("Köln", "CGN", "DEU", 50.937531, 6.960279, 6,
         ("50667", "50668", "50670", "50672", "50674", "50676", "50677", "50733", "50823",
          "51063"),
         ("Hohe Straße", "Aachener Straße", "Venloer Straße", "Zülpicher Straße",
          "Neusser Straße", "Luxemburger Straße", "Deutzer Freiheit", "Subbelrather Straße")),
    City("Frankfurt am Main", "FRA", "DEU", 50.110924, 8.682127, 5,
         ("60306", "60308", "60311", "60313", "60316", "60318", "60385", "60486", "60528",
          "60594"),
         ("Zeil", "Berger Straße", "Mainzer Landstraße", "Hanauer Landstraße",
          "Eschersheimer Landstraße", "Schweizer Straße", "Leipziger Straße")),
    City("Stuttgart", "STR", "DEU", 48.775846, 9.182932, 4,
         ("70173", "70174", "70176", "70178", "70180", "70182", "70190", "70193", "70372",
          "70469"),
         ("Königstraße", "Theodor-Heuss-Straße", "Rotebühlstraße", "Hauptstätter Straße",
          "Neckarstraße", "Pragstraße", "Marktstraße")),
    City("Düsseldorf", "DUS", "DEU", 51.227741, 6.773456, 4,
         ("40210", "40211", "40212", "40213", "40215", "40217", "40219", "40221", "40476",
          "40545"),
         ("Königsallee", "Kaiserstraße", "Graf-Adolf-Straße", "Corneliusstraße",
          "Nordstraße", "Luegallee", "Bilker Allee")),
    City("Leipzig", "LEJ", "DEU", 51.339695, 12.373075, 3,
         ("04103", "04105", "04107", "04109", "04155", "04177", "04229", "04275", "04315",
          "04347"),
         ("Karl-Liebknecht-Straße", "Georg-Schwarz-Straße", "Eisenbahnstraße",
          "Gohliser Straße", "Prager Straße", "Jahnallee", "Bornaische Straße")),
    City("Amsterdam", "AMS", "NLD", 52.367573, 4.904139, 5,
         ("1012 JS", "1015 CJ", "1017 CT", "1053 RT", "1061 AZ", "1071 XX", "1072 LH",
          "1081 HV", "1091 GH", "1097 DN"),
         ("Damrak", "Rokin", "Overtoom", "Ferdinand Bolstraat", "Kinkerstraat",
          "Van Woustraat", "Javastraat", "Linnaeusstraat")),
    City("Utrecht", "UTR", "NLD", 52.090737, 5.121420, 2,
         ("3511 AA", "3512 JE", "3521 AZ", "3531 TH", "3571 AB", "3583 ET"),
         ("Oudegracht", "Biltstraat", "Amsterdamsestraatweg", "Kanaalstraat",
          "Vleutenseweg", "Croeselaan")),
    City("Rotterdam", "RTM", "NLD", 51.924420, 4.477733, 3,
         ("3011 AD", "3012 CL", "3015 CE", "3021 JS", "3032 AD", "3071 AA"),
         ("Coolsingel", "Witte de Withstraat", "Nieuwe Binnenweg", "Zwart Janstraat",
          "Beijerlandselaan", "Kruiskade")),
    City("Paris", "PAR", "FRA", 48.856613, 2.352222, 6,
         tuple(f"750{n:02d}" for n in range(1, 21)),
         ("Rue de Rivoli", "Boulevard Haussmann", "Rue de la Roquette", "Avenue de Clichy",
          "Rue de Vaugirard", "Boulevard Voltaire", "Avenue d'Italie", "Rue du Faubourg "
          "Saint-Antoine")),
    City("Lyon", "LYS", "FRA", 45.764043, 4.835659, 2,
         tuple(f"6900{n}" for n in range(1, 10)),
         ("Rue de la République", "Cours Lafayette", "Avenue Jean Jaurès",
          "Rue Garibaldi", "Cours Gambetta", "Quai Perrache")),
    City("Wien", "VIE", "AUT", 48.208174, 16.373819, 3,
         ("1010", "1020", "1030", "1040", "1050", "1060", "1070", "1080", "1090", "1100",
          "1120", "1150", "1200", "1220"),
         ("Mariahilfer Straße", "Landstraßer Hauptstraße", "Favoritenstraße",
          "Praterstraße", "Wiedner Hauptstraße", "Thaliastraße", "Wagramer Straße")),
    City("Bruxelles", "BRU", "BEL", 50.850346, 4.351721, 3,
         ("1000", "1020", "1030", "1040", "1050", "1060", "1070", "1080", "1180", "1200"),
         ("Rue Neuve", "Avenue Louise", "Chaussée de Wavre", "Boulevard Anspach",
          "Chaussée d'Ixelles", "Rue de la Loi")),
    City("København", "CPH", "DNK", 55.676097, 12.568337, 2,
         ("1050", "1150", "1550", "1620", "2100", "2200", "2300", "2400"),
         ("Strøget", "Nørrebrogade", "Vesterbrogade", "Østerbrogade", "Amagerbrogade",
          "Gothersgade")),
    City("Zürich", "ZRH", "CHE", 47.376887, 8.541694, 2,
         ("8001", "8002", "8003", "8004", "8005", "8006", "8008", "8032", "8045", "8050"),
         ("Bahnhofstrasse", "Langstrasse", "Badenerstrasse", "Seefeldstrasse",
          "Hardturmstrasse", "Schaffhauserstrasse")),
    City("Warszawa", "WAW", "POL", 52.229676, 21.012229, 2,
         ("00-001", "00-695", "00-950", "01-001", "02-001", "03-301"),
         ("Marszałkowska", "Aleje Jerozolimskie", "Puławska", "Grójecka", "Targowa",
          "Świętokrzyska")),
    City("Praha", "PRG", "CZE", 50.075538, 14.437800, 1.5,
         ("110 00", "120 00", "130 00", "140 00", "150 00", "160 00", "170 00", "180 00"),
         ("Václavské náměstí", "Vinohradská", "Národní", "Budějovická", "Plzeňská",
          "Sokolovská")),
    City("Stockholm", "ARN", "SWE", 59.329323, 18.068581, 1.5,
         ("111 20", "111 52", "113 30", "114 35", "116 45", "118 20"),
         ("Drottninggatan", "Götgatan", "Sveavägen", "Hornsgatan", "Odengatan",
          "Valhallavägen")),
    City("Luxembourg", "LUX", "LUX", 49.611622, 6.131935, 1,
         ("1118", "1212", "1660", "2016", "2449", "2530"),
         ("Grand-Rue", "Avenue de la Liberté", "Route d'Arlon", "Boulevard Royal",
          "Rue de Hollerich")),
    City("New York", "NYC", "USA", 40.712776, -74.005974, 1.5,
         ("10001", "10003", "10011", "10013", "10016", "10019", "10022", "10025", "10036",
          "10128"),
         ("Broadway", "West 42nd Street", "Lexington Avenue", "Amsterdam Avenue",
          "Canal Street", "Houston Street"),
         "America/New_York"),
    City("Los Angeles", "LAX", "USA", 34.052235, -118.243683, 1,
         ("90012", "90013", "90015", "90017", "90024", "90028", "90036", "90045"),
         ("Wilshire Boulevard", "Sunset Boulevard", "Figueroa Street", "Olympic Boulevard",
          "Santa Monica Boulevard"),
         "America/Los_Angeles"),
    City("Chicago", "CHI", "USA", 41.878113, -87.629799, 1,
         ("60601", "60602", "60605", "60607", "60611", "60614", "60616", "60622"),
         ("Michigan Avenue", "State Street", "Clark Street", "Halsted Street",
          "Milwaukee Avenue"),
         "America/Chicago"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Charger:
    """A kind of charging point: power type, output and the plugs it offers."""

    power_type: str
    output_kw: str
    plugs: tuple[str, ...]


_TYPE2 = ("Type 2 Outlet",)
_TYPE2_CABLE = ("Type 2 Connector (Cable Attached)",)
_CCS2 = ("CCS Combo 2 Plug (Cable Attached)",)
_CCS2_CHADEMO = ("CCS Combo 2 Plug (Cable Attached)", "CHAdeMO")
_TYPE1 = ("Type 1 Connector (Cable Attached)",)
_AC3, _AC1, _DC = PowerType.AC_3_PHASE.value, PowerType.AC_1_PHASE.value, PowerType.DC.value

EUROPE_AC: tuple[tuple[Charger, float], ...] = (
    (Charger(_AC3, "22", _TYPE2), 40),
    (Charger(_AC3, "22", _TYPE2_CABLE), 10),
    (Charger(_AC3, "11", _TYPE2), 30),
    (Charger(_AC3, "11", _TYPE2_CABLE), 5),
    (Charger(_AC1, "3.7", ("Type F Schuko", "Type 2 Outlet")), 7),
    (Charger(_AC1, "7.4", _TYPE2), 8),
)
EUROPE_DC: tuple[tuple[Charger, float], ...] = (
    (Charger(_DC, "50", _CCS2_CHADEMO), 25),
    (Charger(_DC, "150", _CCS2), 35),
    (Charger(_DC, "300", _CCS2), 25),
    (Charger(_DC, "350", _CCS2), 15),
)
US_AC: tuple[tuple[Charger, float], ...] = (
    (Charger(_AC1, "7.4", _TYPE1), 70),
    (Charger(_AC1, "3.7", _TYPE1), 30),
)
"""Level 2 (J1772). A NEMA 5-20 outlet (120 V, 20 A) carries 2.4 kW at most, below the
demo's 3.7 kW floor, so it is not offered."""
US_DC: tuple[tuple[Charger, float], ...] = (
    (Charger(_DC, "50", ("CCS Combo 1 Plug (Cable Attached)", "CHAdeMO")), 25),
    (Charger(_DC, "150", ("CCS Combo 1 Plug (Cable Attached)",)), 35),
    (Charger(_DC, "250", ("Tesla Connector",)), 25),
    (Charger(_DC, "350", ("CCS Combo 1 Plug (Cable Attached)",)), 15),
)


class _Weighted(Generic[T]):
    """Weighted choices from a fixed table: one `random()` and a bisection per draw."""

    def __init__(self, table: Iterable[tuple[T, float]]) -> None:
        pairs = list(table)
        self.items = [item for item, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, random: Callable[[], float]) -> T:
        return self.items[bisect(self.cumulative, random() * self.total)]


_CHARGERS = {
    (False, False): _Weighted(EUROPE_AC),
    (False, True): _Weighted(EUROPE_DC),
    (True, False): _Weighted(US_AC),
    (True, True): _Weighted(US_DC),
}
_CITIES = _Weighted((city, city.weight) for city in CITIES)
_SIZES = _Weighted(zip(STATION_SIZES, STATION_SIZE_WEIGHTS, strict=True))


def _id_prefix(operator: OperatorId, width: int) -> str:
    """The EVSE ID up to the station number: `DE*ABC*E%0{width}d*`, or numeric."""
    marker = "" if operator.display.startswith("+") else "E"
    return f"{operator.display}*{marker}%0{width}d*"


def _one_of(random: Callable[[], float], choices: tuple[str, ...]) -> str:
    return choices[int(random() * len(choices))]


def _house_number(random: Callable[[], float]) -> str:
    number = str(int(random() * MAX_HOUSE_NUMBER) + 1)
    return number + _one_of(random, ("a", "b", "c")) if random() < SUFFIX_SHARE else number


def _coordinates(random: Callable[[], float], city: City) -> tuple[str, str]:
    latitude = city.latitude + (2 * random() - 1) * COORDINATE_SPREAD
    longitude = city.longitude + (2 * random() - 1) * COORDINATE_SPREAD * 1.5
    return f"{latitude:.6f}", f"{longitude:.6f}"


def _station(
    random: Callable[[], float], number: int, size: int, id_prefix: str, first_position: int
) -> list[SourceRecord]:
    """The EVSEs of one charging station: same site, same kind of charger."""
    city = _CITIES.pick(random)
    charger = _CHARGERS[city.american, random() >= AC_SHARE].pick(random)
    latitude, longitude = _coordinates(random, city)
    postal_code = _one_of(random, city.postal_codes)
    street = _one_of(random, city.streets)
    house_number = _house_number(random)
    station_id = f"{city.country}-{city.code}-{number:06d}"
    evse_prefix = id_prefix % number
    country, name, zone = city.country, city.name, city.time_zone
    power_type, output, plugs = charger.power_type, charger.output_kw, charger.plugs
    return [
        SourceRecord(
            first_position + n,
            EvseInput(
                f"{evse_prefix}{n + 1}",
                station_id,
                country,
                name,
                postal_code,
                street,
                house_number,
                latitude,
                longitude,
                power_type,
                output,
                plugs,
                zone,
            ),
        )
        for n in range(size)
    ]


def generate_evses(
    operator: OperatorId, count: int, seed: int = DEFAULT_SEED
) -> list[SourceRecord]:
    """`count` EVSE records of `operator`, in charging stations of 1–6 EVSEs.

    Deterministic: the same operator, count and seed give the same records. Positions are
    0-based indexes.
    """
    random = Random(seed).random
    id_prefix = _id_prefix(operator, max(6, len(str(count))))
    records: list[SourceRecord] = []
    station = 0
    with collector_paused():
        while len(records) < count:
            station += 1
            size = min(_SIZES.pick(random), count - len(records))
            records.extend(_station(random, station, size, id_prefix, len(records)))
    return records


def demo_batch(operator: OperatorId, count: int, seed: int = DEFAULT_SEED) -> ParsedBatch:
    """The demo inventory as an `upsert` batch, ready for `import_evses`."""
    items: list[ParsedItem] = list(generate_evses(operator, count, seed))
    return ParsedBatch(PushAction.UPSERT, "index", items)
