"""The geocoder: text to points and points to text, over street centerlines with address ranges,
address points and a gazetteer of places. Pure: it reads rows handed to it and never the ORM
(responders.gis_selectors builds it from the database once per process).

What it resolves:
- a full address ("1100 Central Ave SE", "1100 central avenue southeast, Albuquerque NM 87106"):
  an address point when one exists, else interpolated along the centerline whose address range
  on one side holds the number (with the side's parity);
- an intersection ("Central & Louisiana", "Central/Louisiana", "Central and Louisiana",
  "Central at Louisiana"): where two streets' centerlines meet (a shared node or a crossing);
- Albuquerque's quadrant suffixes (NE, NW, SE, SW) and directionals, USPS Publication 28
  street-type and directional abbreviations ("Boulevard" = "Blvd", "Northeast" = "NE");
- misspellings ("Lousiana", "Centrl"): fuzzy matching of street and place names (rapidfuzz);
- place names from the gazetteer ("UNM Hospital", "Alvarado Transportation Center").
Reverse geocoding gives the nearest address point, intersection or interpolated address.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from rapidfuzz import fuzz, process
from shapely import STRtree
from shapely.geometry import LineString, Point

EARTH_RADIUS_M = 6_371_008.8

# USPS Publication 28, appendix B (directionals) and C1 (street suffixes), the common entries.
DIRECTIONALS = {
    "N": "N", "NORTH": "N", "S": "S", "SOUTH": "S", "E": "E", "EAST": "E", "W": "W", "WEST": "W",
    "NE": "NE", "NORTHEAST": "NE", "NW": "NW", "NORTHWEST": "NW",
    "SE": "SE", "SOUTHEAST": "SE", "SW": "SW", "SOUTHWEST": "SW",
}  # fmt: skip
STREET_TYPES = {
    "ALLEY": "ALY", "ALY": "ALY", "AVENUE": "AVE", "AVE": "AVE", "AV": "AVE", "AVEN": "AVE", "AVN": "AVE",
    "BOULEVARD": "BLVD", "BLVD": "BLVD", "BOUL": "BLVD", "BOULV": "BLVD", "BV": "BLVD",
    "CIRCLE": "CIR", "CIR": "CIR", "CIRC": "CIR", "COURT": "CT", "CT": "CT", "CRT": "CT",
    "DRIVE": "DR", "DR": "DR", "DRV": "DR", "EXPRESSWAY": "EXPY", "EXPY": "EXPY",
    "FREEWAY": "FWY", "FWY": "FWY", "HIGHWAY": "HWY", "HWY": "HWY", "LANE": "LN", "LN": "LN",
    "LOOP": "LOOP", "PARKWAY": "PKWY", "PKWY": "PKWY", "PASS": "PASS", "PATH": "PATH",
    "PLACE": "PL", "PL": "PL", "PLAZA": "PLZ", "PLZ": "PLZ", "ROAD": "RD", "RD": "RD", "ROW": "ROW",
    "RUN": "RUN", "SQUARE": "SQ", "SQ": "SQ", "STREET": "ST", "ST": "ST", "STR": "ST", "STRT": "ST",
    "TERRACE": "TER", "TER": "TER", "TRAIL": "TRL", "TRL": "TRL", "WAY": "WAY", "WY": "WAY",
}  # fmt: skip
ORDINALS = {
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH", "SIXTH": "6TH",
    "SEVENTH": "7TH", "EIGHTH": "8TH", "NINTH": "9TH", "TENTH": "10TH", "ELEVENTH": "11TH", "TWELFTH": "12TH",
}  # fmt: skip
QUADRANTS = frozenset({"NE", "NW", "SE", "SW"})
# The city, state and ZIP a caller adds to an address say nothing the service area does not.
_LOCALITY = frozenset({"ALBUQUERQUE", "ABQ", "NM", "NEW", "MEXICO", "USA", "US"})
_UNIT_WORDS = frozenset(
    {"APT", "APARTMENT", "UNIT", "STE", "SUITE", "RM", "ROOM", "BLDG", "SPC", "LOT", "FL"}
)
# "Central & Louisiana", "Central/Louisiana", "Central and Louisiana", "Central at Louisiana".
_INTERSECTION_SPLIT = re.compile(r"\s*(?:&|/|\+|@|\bAND\b|\bAT\b|\bY\b(?=\s))\s*")
_NUMBER = re.compile(r"^(\d+)([A-Z]?)$")

# Scores: 1.0 is an exact match of every part given.
FUZZY_CUTOFF = 78  # rapidfuzz ratio; "LOUSIANA" vs "LOUISIANA" is 94, "CENTRL" vs "CENTRAL" 92
PREFIX_SCORE = 0.85  # a street name completed from what was typed so far
ATTRIBUTE_MISMATCH = 0.8  # a street type or quadrant given that the match does not have
INTERPOLATED = 0.95  # an address placed along its block rather than on its address point


@dataclass(frozen=True)
class Parsed:
    number: int | None = None
    suffix: str = ""
    predir: str = ""
    name: str = ""
    postyp: str = ""
    posdir: str = ""


@dataclass
class Candidate:
    label: str
    lat: float
    lon: float
    kind: str  # address, intersection, place
    score: float
    precision: str = "point"  # point (an address point or place), range (interpolated), node

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "kind": self.kind,
            "score": round(self.score, 3),
            "precision": self.precision,
        }


def _tokens(text: str) -> list[str]:
    text = text.upper().replace(".", "").replace("'", "")
    return re.findall(r"[A-Z0-9]+", text)


def normalize_name(name: str) -> str:
    """A street or place name in the index's spelling: upper case, ordinals as digits."""
    return " ".join(ORDINALS.get(t, t) for t in _tokens(name))


def parse_street(text: str) -> Parsed:
    """Split an address or a street into NENA parts (number, predir, name, type, postdir)."""
    first = text.split(",")[0] if re.search(r"[A-Za-z]", text.split(",")[0]) else text
    tokens = _tokens(first)
    for i, t in enumerate(tokens):  # "#12", "Apt 4", "Ste A": the rest is a unit, not the street
        if t in _UNIT_WORDS and i > 0:
            tokens = tokens[:i]
            break
    if "#" in first:
        head = _tokens(first.split("#")[0])
        tokens = tokens[: len(head)] if head else tokens
    while tokens and (tokens[-1] in _LOCALITY or re.fullmatch(r"\d{5}", tokens[-1])) and len(tokens) > 1:
        tokens.pop()
    number, suffix = None, ""
    if len(tokens) > 1 and (m := _NUMBER.match(tokens[0])):
        number, suffix = int(m.group(1)), m.group(2)
        tokens = tokens[1:]
    posdir = postyp = predir = ""
    if len(tokens) > 1 and tokens[-1] in DIRECTIONALS:
        posdir = DIRECTIONALS[tokens.pop()]
    if len(tokens) > 1 and tokens[-1] in STREET_TYPES:
        postyp = STREET_TYPES[tokens.pop()]
    if not posdir and len(tokens) > 1 and tokens[-1] in DIRECTIONALS:  # "Central SE Ave" order slip
        posdir = DIRECTIONALS[tokens.pop()]
    if len(tokens) > 1 and tokens[0] in DIRECTIONALS and len(DIRECTIONALS[tokens[0]]) == 1:
        predir = DIRECTIONALS[tokens.pop(0)]
    name = " ".join(ORDINALS.get(t, t) for t in tokens)
    return Parsed(number=number, suffix=suffix, predir=predir, name=name, postyp=postyp, posdir=posdir)


def split_intersection(text: str) -> tuple[str, str] | None:
    """The two streets of an intersection query, or None when the text names one place."""
    upper = text.upper()
    parts = [p for p in _INTERSECTION_SPLIT.split(upper, maxsplit=1) if p is not None]
    if len(parts) != 2:
        return None
    a, b = parts[0].strip(), parts[1].strip()
    if not a or not re.search(r"[A-Z0-9]", a):
        return None
    if re.match(r"^\d+\s", a):  # "1100 Central & ..." is an address with noise, not a corner
        return None
    return a, b


def _title(token: str) -> str:
    if token in DIRECTIONALS.values():
        return token
    if re.fullmatch(r"\d+(ST|ND|RD|TH)", token):  # 4TH -> 4th; a house number's suffix stays (1102A)
        return token.lower()
    if token[:1].isdigit():
        return token
    return token.capitalize()


def street_label(*, predir: str, name: str, postyp: str, posdir: str, number: str = "") -> str:
    """A street as people read it: '1100 Central Ave SE'."""
    words = [number, predir, *(name.split()), postyp, posdir]
    return " ".join(_title(w) for w in words if w)


@dataclass
class _Street:
    """Every variant (predir, type, postdir) of a street name, and its segments and points."""

    segments: list[int] = field(default_factory=list)
    numbers: np.ndarray | None = None  # address numbers, sorted
    points: np.ndarray | None = None  # address point indexes in the order of `numbers`


class GeocodeIndex:
    """In-memory index, built once per process: dict lookups by normalised street name, sorted
    house numbers (bisect), rapidfuzz over the few thousand distinct names, STRtrees for reverse."""

    def __init__(
        self,
        *,
        addresses: Iterable[Sequence[Any]] = (),
        segments: Iterable[Sequence[Any]] = (),
        places: Iterable[Sequence[Any]] = (),
        lat0: float = 35.08,
    ) -> None:
        """addresses: (number, suffix, predir, name, postyp, posdir, lat, lon);
        segments: (predir, name, postyp, posdir, from_l, to_l, from_r, to_r, parity_l, parity_r, coords);
        places: (name, aliases, kind, lat, lon, address)."""
        self.lat0 = lat0
        self._kx = math.pi / 180 * EARTH_RADIUS_M * math.cos(math.radians(lat0))
        self._ky = math.pi / 180 * EARTH_RADIUS_M
        self.streets: dict[str, _Street] = {}
        self._load_addresses(addresses)
        self._load_segments(segments)
        self._load_places(places)
        self.names = sorted(self.streets)
        self._build_intersections()
        self._build_reverse()

    # --- building ------------------------------------------------------------------------------

    def _xy(self, lat: float, lon: float) -> tuple[float, float]:
        return lon * self._kx, lat * self._ky

    def _load_addresses(self, rows: Iterable[Sequence[Any]]) -> None:
        numbers, suffixes, predirs, names, postyps, posdirs, lats, lons = [], [], [], [], [], [], [], []
        for number, suffix, predir, name, postyp, posdir, lat, lon in rows:
            numbers.append(int(number))
            suffixes.append(suffix or "")
            predirs.append(predir or "")
            names.append(normalize_name(name))
            postyps.append(STREET_TYPES.get((postyp or "").upper(), (postyp or "").upper()))
            posdirs.append(DIRECTIONALS.get((posdir or "").upper(), (posdir or "").upper()))
            lats.append(float(lat))
            lons.append(float(lon))
        self.a_number = np.asarray(numbers, dtype=np.int64)
        self.a_suffix, self.a_predir, self.a_name = suffixes, predirs, names
        self.a_postyp, self.a_posdir = postyps, posdirs
        self.a_lat = np.asarray(lats, dtype=float)
        self.a_lon = np.asarray(lons, dtype=float)
        by_name: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            by_name.setdefault(name, []).append(i)
        for name, idx in by_name.items():
            arr = np.asarray(idx, dtype=np.int64)
            order = np.argsort(self.a_number[arr], kind="stable")
            street = self.streets.setdefault(name, _Street())
            street.points = arr[order]
            street.numbers = self.a_number[street.points]

    def _load_segments(self, rows: Iterable[Sequence[Any]]) -> None:
        self.s_attrs: list[tuple[str, str, str, str]] = []  # predir, name, postyp, posdir
        self.s_ranges: list[tuple[Any, ...]] = []
        self.s_lines: list[LineString] = []
        for predir, name, postyp, posdir, fl, tl, fr, tr, pl, pr, coords in rows:
            if not coords or len(coords) < 2:
                continue
            name = normalize_name(name)
            attrs = (
                (predir or "").upper(),
                name,
                STREET_TYPES.get((postyp or "").upper(), (postyp or "").upper()),
                DIRECTIONALS.get((posdir or "").upper(), (posdir or "").upper()),
            )
            self.streets.setdefault(name, _Street()).segments.append(len(self.s_lines))
            self.s_attrs.append(attrs)
            self.s_ranges.append((fl, tl, fr, tr, (pl or "").upper(), (pr or "").upper()))
            self.s_lines.append(LineString([(float(x), float(y)) for x, y, *_ in coords]))

    def _load_places(self, rows: Iterable[Sequence[Any]]) -> None:
        self.places: list[tuple[str, str, float, float, str]] = []  # name, kind, lat, lon, address
        self.place_keys: list[str] = []  # normalised name or alias
        self.place_of_key: list[int] = []
        for name, aliases, kind, lat, lon, address in rows:
            index = len(self.places)
            self.places.append((name, kind, float(lat), float(lon), address or ""))
            for key in [name, *[a for a in (aliases or "").split(";") if a.strip()]]:
                self.place_keys.append(normalize_name(key))
                self.place_of_key.append(index)

    def _build_intersections(self) -> None:
        """Corners from the centerlines: segments sharing an end node, or crossing mid-segment."""
        nodes: dict[tuple[float, float], set[int]] = {}
        for i, line in enumerate(self.s_lines):
            coords = line.coords
            for x, y in (coords[0], coords[-1]):
                nodes.setdefault((round(x, 6), round(y, 6)), set()).add(i)
        # (name a, name b) -> [x, y, [(segment of a, segment of b), ...]]: every variant of the two
        # streets meeting there (Louisiana Blvd NE and SE both meet Central Ave at one node).
        corners: dict[tuple[str, str], list[list[Any]]] = {}

        def add(a: int, b: int, lon: float, lat: float) -> None:
            na, nb = self.s_attrs[a][1], self.s_attrs[b][1]
            if na == nb:
                return
            if na > nb:
                a, b, na, nb = b, a, nb, na
            points = corners.setdefault((na, nb), [])
            x, y = self._xy(lat, lon)
            for point in points:  # the same corner reached by several segments
                if math.hypot(point[0] - x, point[1] - y) < 40:
                    variants = {(self.s_attrs[p], self.s_attrs[q]) for p, q in point[2]}
                    if (self.s_attrs[a], self.s_attrs[b]) not in variants:
                        point[2].append((a, b))
                    return
            points.append([x, y, [(a, b)]])

        for (lon, lat), segs in nodes.items():
            segs_list = sorted(segs)
            for i, a in enumerate(segs_list):
                for b in segs_list[i + 1 :]:
                    add(a, b, lon, lat)
        if self.s_lines:
            tree = STRtree(self.s_lines)
            left, right = tree.query(self.s_lines, predicate="crosses")
            for a, b in zip(left.tolist(), right.tolist(), strict=True):
                if a < b and self.s_attrs[a][1] != self.s_attrs[b][1]:
                    hit = self.s_lines[a].intersection(self.s_lines[b])
                    if hit.geom_type == "Point":
                        add(a, b, hit.x, hit.y)
                    elif hit.geom_type == "MultiPoint":
                        for p in hit.geoms:
                            add(a, b, p.x, p.y)
        self.corners = corners
        self.partners: dict[str, list[str]] = {}
        for a, b in sorted(corners):
            self.partners.setdefault(a, []).append(b)
            self.partners.setdefault(b, []).append(a)

    def _build_reverse(self) -> None:
        self._a_tree = (
            STRtree(shapely.points(self.a_lon * self._kx, self.a_lat * self._ky)) if len(self.a_lat) else None
        )
        self.c_list: list[list[Any]] = [p for pts in self.corners.values() for p in pts]
        self._c_tree = STRtree(shapely.points([(p[0], p[1]) for p in self.c_list])) if self.c_list else None
        self._s_xy = [
            shapely.transform(line, lambda c: c * np.array([self._kx, self._ky])) for line in self.s_lines
        ]
        self._s_tree = STRtree(self._s_xy) if self._s_xy else None

    @property
    def counts(self) -> dict[str, int]:
        return {
            "addresses": int(len(self.a_lat)),
            "segments": len(self.s_lines),
            "streets": len(self.names),
            "intersections": len(self.c_list),
            "places": len(self.places),
        }

    # --- names ---------------------------------------------------------------------------------

    def street_names(self, name: str, *, prefix: bool = False, limit: int = 5) -> list[tuple[str, float]]:
        """Index street names for a typed name, best first: exact, completed (prefix), fuzzy."""
        if not name:
            return []
        if name in self.streets:
            found = [(name, 1.0)]
            if not prefix:
                return found
        else:
            found = []
        if prefix:
            start = bisect.bisect_left(self.names, name)
            for candidate in self.names[start : start + 50]:
                if not candidate.startswith(name):
                    break
                if candidate != name:
                    found.append((candidate, PREFIX_SCORE))
                if len(found) >= limit:
                    return found
        if not found:
            for candidate, score, _ in process.extract(
                name, self.names, scorer=fuzz.ratio, limit=limit, score_cutoff=FUZZY_CUTOFF
            ):
                found.append((candidate, 0.9 * score / 100))
        return found[:limit]

    @staticmethod
    def _attribute_factor(parsed: Parsed, predir: str, postyp: str, posdir: str) -> float:
        factor = 1.0
        if parsed.postyp and postyp and parsed.postyp != postyp:
            factor *= ATTRIBUTE_MISMATCH
        if parsed.posdir and posdir and parsed.posdir != posdir:
            factor *= ATTRIBUTE_MISMATCH
        if parsed.predir and predir and parsed.predir != predir:
            factor *= ATTRIBUTE_MISMATCH
        return factor

    # --- forward -------------------------------------------------------------------------------

    def search(self, text: str, *, limit: int = 8) -> list[Candidate]:
        """Ranked candidates for what a call-taker typed: addresses, intersections, places."""
        text = (text or "").strip()
        if len(text) < 2:
            return []
        results: list[Candidate] = []
        corner = split_intersection(text)
        if corner:
            results += self._intersections(
                parse_street(corner[0]), parse_street(corner[1]) if corner[1] else None
            )
        else:
            parsed = parse_street(text)
            if parsed.number is not None:
                results += self._addresses(parsed)
        results += self._places(text)
        best: dict[str, Candidate] = {}
        for c in results:
            if c.label not in best or best[c.label].score < c.score:
                best[c.label] = c
        return sorted(best.values(), key=lambda c: (-c.score, c.label))[:limit]

    def _addresses(self, parsed: Parsed) -> list[Candidate]:
        out: list[Candidate] = []
        n = parsed.number
        assert n is not None
        for name, name_score in self.street_names(parsed.name, prefix=True):
            street = self.streets[name]
            found_point = False
            if street.numbers is not None and len(street.numbers):
                lo = int(np.searchsorted(street.numbers, n, side="left"))
                hi = int(np.searchsorted(street.numbers, n, side="right"))
                for k in range(lo, hi):
                    i = int(street.points[k])
                    if parsed.suffix and self.a_suffix[i] and parsed.suffix != self.a_suffix[i]:
                        continue
                    factor = self._attribute_factor(
                        parsed, self.a_predir[i], self.a_postyp[i], self.a_posdir[i]
                    )
                    out.append(
                        Candidate(
                            label=street_label(
                                predir=self.a_predir[i],
                                name=name,
                                postyp=self.a_postyp[i],
                                posdir=self.a_posdir[i],
                                number=f"{n}{self.a_suffix[i]}",
                            ),
                            lat=float(self.a_lat[i]),
                            lon=float(self.a_lon[i]),
                            kind="address",
                            score=name_score * factor,
                        )
                    )
                    found_point = True
            if found_point:
                continue
            for s in street.segments:
                point = self._interpolate(s, n)
                if point is None:
                    continue
                predir, _, postyp, posdir = self.s_attrs[s]
                factor = self._attribute_factor(parsed, predir, postyp, posdir)
                out.append(
                    Candidate(
                        label=street_label(
                            predir=predir, name=name, postyp=postyp, posdir=posdir, number=str(n)
                        ),
                        lat=point[1],
                        lon=point[0],
                        kind="address",
                        score=name_score * factor * INTERPOLATED,
                        precision="range",
                    )
                )
        return out

    def _interpolate(self, s: int, n: int) -> tuple[float, float] | None:
        """(lon, lat) of house number n along segment s, or None when neither side's range holds it."""
        fl, tl, fr, tr, pl, pr = self.s_ranges[s]
        for lo, hi, parity in ((fl, tl, pl), (fr, tr, pr)):
            if lo is None or hi is None or parity == "Z":
                continue
            if not (min(lo, hi) <= n <= max(lo, hi)):
                continue
            if parity == "O" and n % 2 == 0 or parity == "E" and n % 2 == 1:
                continue
            fraction = 0.5 if hi == lo else (n - lo) / (hi - lo)
            p = self.s_lines[s].interpolate(fraction, normalized=True)
            return p.x, p.y
        return None

    def _intersections(self, a: Parsed, b: Parsed | None) -> list[Candidate]:
        out: list[Candidate] = []
        names_a = self.street_names(a.name, prefix=False)
        names_b = self.street_names(b.name, prefix=True) if b and b.name else []
        for na, sa in names_a:
            # "Central &": every corner of Central is a candidate.
            partners = names_b if b is not None and b.name else [(k, 1.0) for k in self._partners(na)][:8]
            for nb, sb in partners:
                key = (na, nb) if na < nb else (nb, na)
                for x, y, pairs in self.corners.get(key, []):
                    best = None
                    for s1, s2 in pairs:  # the variant of the two streets that fits what was typed
                        seg_a, seg_b = (s1, s2) if self.s_attrs[s1][1] == na else (s2, s1)
                        attr_a, attr_b = self.s_attrs[seg_a], self.s_attrs[seg_b]
                        f = self._attribute_factor(a, attr_a[0], attr_a[2], attr_a[3])
                        if b is not None:
                            f *= self._attribute_factor(b, attr_b[0], attr_b[2], attr_b[3])
                        # Ties (nothing typed to choose by): the two streets' names in one quadrant.
                        rank = (f, attr_a[3] == attr_b[3])
                        if best is None or rank > best[0]:
                            best = (rank, attr_a, attr_b)
                    (factor, _), attr_a, attr_b = best
                    label = (
                        street_label(predir=attr_a[0], name=na, postyp=attr_a[2], posdir=attr_a[3])
                        + " & "
                        + street_label(predir=attr_b[0], name=nb, postyp=attr_b[2], posdir=attr_b[3])
                    )
                    out.append(
                        Candidate(
                            label=label,
                            lat=y / self._ky,
                            lon=x / self._kx,
                            kind="intersection",
                            score=sa * sb * factor,
                            precision="node",
                        )
                    )
        return out

    def _partners(self, name: str) -> list[str]:
        return sorted(self.partners.get(name, []))

    def _places(self, text: str) -> list[Candidate]:
        if not self.place_keys:
            return []
        key = normalize_name(text)
        if not key:
            return []
        scored: dict[int, float] = {}
        for i, place_key in enumerate(self.place_keys):
            if place_key == key:
                score = 1.0
            elif place_key.startswith(key) and len(key) >= 3:
                score = 0.9
            elif len(key) >= 4 and f" {key}" in f" {place_key}":
                score = 0.8
            else:
                continue
            p = self.place_of_key[i]
            scored[p] = max(scored.get(p, 0), score)
        if not scored and len(key) >= 4:
            for _, score, i in process.extract(
                key, self.place_keys, scorer=fuzz.WRatio, limit=3, score_cutoff=86
            ):
                p = self.place_of_key[i]
                scored[p] = max(scored.get(p, 0), 0.85 * score / 100)
        out = []
        for p, score in scored.items():
            name, kind, lat, lon, address = self.places[p]
            out.append(Candidate(label=name, lat=lat, lon=lon, kind="place", score=score))
        return out

    # --- reverse -------------------------------------------------------------------------------

    def reverse(self, *, lat: float, lon: float, max_distance_m: float = 250.0) -> list[dict[str, Any]]:
        """What is at a point, nearest first: an address point, an intersection, an address
        interpolated on the nearest centerline. Each with its distance in metres."""
        x, y = self._xy(lat, lon)
        here = Point(x, y)
        out: list[dict[str, Any]] = []
        if self._a_tree is not None:
            idx, dist = self._a_tree.query_nearest(here, max_distance=max_distance_m, return_distance=True)
            if len(idx):
                i = int(idx[0])
                out.append(
                    {
                        "label": street_label(
                            predir=self.a_predir[i],
                            name=self.a_name[i],
                            postyp=self.a_postyp[i],
                            posdir=self.a_posdir[i],
                            number=f"{self.a_number[i]}{self.a_suffix[i]}",
                        ),
                        "lat": round(float(self.a_lat[i]), 6),
                        "lon": round(float(self.a_lon[i]), 6),
                        "kind": "address",
                        "distance_m": round(float(dist[0]), 1),
                    }
                )
        if self._c_tree is not None:
            idx, dist = self._c_tree.query_nearest(here, max_distance=max_distance_m, return_distance=True)
            if len(idx):
                cx, cy, pairs = self.c_list[int(idx[0])]
                s1, s2 = pairs[0]
                a1, a2 = self.s_attrs[s1], self.s_attrs[s2]
                out.append(
                    {
                        "label": street_label(predir=a1[0], name=a1[1], postyp=a1[2], posdir=a1[3])
                        + " & "
                        + street_label(predir=a2[0], name=a2[1], postyp=a2[2], posdir=a2[3]),
                        "lat": round(cy / self._ky, 6),
                        "lon": round(cx / self._kx, 6),
                        "kind": "intersection",
                        "distance_m": round(float(dist[0]), 1),
                    }
                )
        if self._s_tree is not None:
            idx, dist = self._s_tree.query_nearest(here, max_distance=max_distance_m, return_distance=True)
            if len(idx):
                s = int(idx[0])
                number = self._number_at(s, here)
                if number is not None:
                    p = self._s_xy[s].interpolate(self._s_xy[s].project(here))
                    a = self.s_attrs[s]
                    out.append(
                        {
                            "label": street_label(
                                predir=a[0], name=a[1], postyp=a[2], posdir=a[3], number=str(number)
                            ),
                            "lat": round(p.y / self._ky, 6),
                            "lon": round(p.x / self._kx, 6),
                            "kind": "address",
                            "precision": "range",
                            "distance_m": round(float(dist[0]), 1),
                        }
                    )
        return sorted(out, key=lambda r: r["distance_m"])

    def _number_at(self, s: int, here: Point) -> int | None:
        """The house number of a point beside segment s, from the range on the point's side."""
        line = self._s_xy[s]
        fraction = line.project(here, normalized=True)
        coords = np.asarray(line.coords)
        k = min(int(fraction * (len(coords) - 1)), len(coords) - 2)
        (x1, y1), (x2, y2) = coords[k], coords[k + 1]
        left = (x2 - x1) * (here.y - y1) - (y2 - y1) * (here.x - x1) > 0
        fl, tl, fr, tr, pl, pr = self.s_ranges[s]
        lo, hi, parity = (fl, tl, pl) if left else (fr, tr, pr)
        if lo is None or hi is None:
            lo, hi, parity = (fr, tr, pr) if left else (fl, tl, pl)
        if lo is None or hi is None:
            return None
        n = round(lo + (hi - lo) * fraction)
        if parity == "O" and n % 2 == 0 or parity == "E" and n % 2 == 1:
            n += 1 if n < max(lo, hi) else -1
        return int(n)
