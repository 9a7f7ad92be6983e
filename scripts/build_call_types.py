"""Build calls/data/call_types.csv from the real sources in ../shared/data.

    .venv/bin/python scripts/build_call_types.py [--data DIR] [--out FILE]

Rows: every San Diego police call type (the city's own codes, mapped to an APCO ANS 2.103.1 code where
the meaning clearly matches), then every APCO type not already used as a code. Collisions are resolved
visibly and printed:
- San Diego lists a few codes twice: identical rows are merged; FP (FOOT PURSUIT / WARRANT) keeps
  FOOT PURSUIT, the one its calls use, and the WARRANT row becomes FP-WARRANT.
- An APCO code equal to a San Diego code (ANIMAL, BOMB, INFO...) is kept as APCO-<code>, because the
  local code wins and may mean something narrower (San Diego ANIMAL is a vicious animal).
The agencies and priority columns are hints only: what the default triage rules decide for the call
type alone (triage decides per call). A code that no rule covers fails the build.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage.engine import CallInput, compile_ruleset, load_rules_file, triage  # noqa: E402

APCO_PREFIX = "APCO-"

# San Diego code -> APCO code, only where the meaning clearly matches.
SD_TO_APCO = {
    "10851": "VEHSTLN", "10851E": "VEHSTLN", "10851R": "VEHSTLN", "10851RR": "VEHREC", "10852": "VANDAL",
    "10852A": "ALRVEH", "10852C": "VEHSUSP", "10852R": "VANDAL", "11-6": "SHOOT", "11-6SPT": "SHOOT",
    "11-7": "PERSUSP", "11-8": "PERUNCON", "1111": "INVEST", "1130": "911H", "1131": "911OPN",
    "1131A": "ALRPANA", "1140OD": "OD", "1141": "ALS", "1144": "DEATH", "1146": "DEATH", "1147": "TRAUMA",
    "1148": "CITASST", "1149": "TSTOP", "1150": "TSTOP", "1151": "SUBJSTP", "1155": "HAZMAT",
    "1160": "PUBWKS", "1166": "THAZ", "1171": "FUNK", "1180": "MVAINJY", "1180-CR": "MVAINJY",
    "1181": "MVAINJY", "1181-CR": "MVAINJY", "1181R": "MVAINJY", "1182": "MVA", "1182-CR": "MVA",
    "1183": "MVA", "1184": "THAZ", "1184-CR": "THAZ", "1185": "TOW", "1188": "VEHASST", "1199": "MAYDAY",
    "136": "THREATS", "146": "CRIMPS", "146R": "CRIMPS", "187": "HOMICIDE", "187-SUSP": "HOMICIDE",
    "20001": "MVAHR", "20001-CR": "MVAHR", "20002": "MVAHR", "20002-CR": "MVAHR", "20002R": "MVAHR",
    "207": "ABDUCTNF", "207R": "ABDUCTNF", "211": "ROBBERY", "211-SUSP": "ROBBERY", "211A": "ALRROBA",
    "211C": "ROBBERY", "211R": "ROBBERY", "211SPEC": "ROBBERY", "215": "CARJACK", "215R": "CARJACK",
    "23103": "RECKDRV", "23110": "CRIMTRAF", "23110R": "CRIMTRAF", "23152": "DUI", "23152-CR": "DUI",
    "242": "ASSAULT", "242R": "ASSAULT", "245": "ASSAULT", "245-CR": "ASSAULT", "245-SUSP": "ASSAULT",
    "245DV": "DVA", "245R": "ASSAULT", "246": "SHOOT", "246R": "SHOOT", "247": "SHOOT", "247R": "SHOOT",
    "271": "NEGLECT", "272": "NEGLECT", "278": "ABDUCTF", "278R": "ABDUCTF", "314": "INDECENT",
    "314R": "INDECENT", "330": "VICE", "368": "ABUSE", "374": "PUBWKS", "415": "DISORD",
    "415CAPP": "DISORD", "415CN": "NOISE", "415DV": "DVA", "415N": "NOISE", "415N-CR": "NOISE",
    "415PP": "STDBY", "415SH-CR": "NOISE", "415TOW": "TOW", "415V": "FIGHT", "415W": "WEAPON",
    "417": "WEAPON", "417R": "WEAPON", "422": "THREATS", "422R": "THREATS", "451": "FARSON",
    "451R": "FARSON", "459": "BURGLARY", "459-SUSP": "BURGLARY", "459A": "ALRBA", "459C": "BURGLARY",
    "459HP": "BURGLARY", "459R": "BURGLARY", "459SPEC": "BURGLARY", "470": "FRAUD", "470R": "FRAUD",
    "470RX": "FRAUD", "487": "LARCENY", "487R": "LARCENY", "488": "LARCENY", "488R": "LARCENY",
    "496": "PROPSTLN", "498": "LARCENY", "498R": "LARCENY", "502": "INTERNET", "503CAR": "VEHSTLN",
    "508R": "FRAUD", "518R": "EXTORT", "530": "FRAUD", "532": "FRAUD", "537": "FRAUD", "537R": "FRAUD",
    "5150": "EDP", "5150V": "EDP", "586": "PARKING", "586H": "PARKING", "586O": "PARKING", "594": "VANDAL",
    "594GR": "VANDAL", "594R": "VANDAL", "594VARDA": "ALRU", "597": "ANIMAL", "597R": "ANIMAL",
    "602": "TRESPASS", "646": "HARR", "646R": "HARR", "647B": "VICE", "647F": "INTOX", "653M": "HARR",
    "72HR": "VEHABND", "911": "911H", "911P": "911H", "ALERT2": "AIR", "ALERT3": "AIR", "ALERT4": "BOMB",
    "AMBER": "PERMISS", "ANIMAL": "ANIMAL", "ASST": "CITASST", "AU-MP": "PERMISS", "AU10851": "VEHSTLN",
    "AU1171": "FUNK", "AU187": "HOMICIDE", "AU211": "ROBBERY", "AU215": "CARJACK", "AU23103": "RECKDRV",
    "AU23152": "DUI", "AU245": "ASSAULT", "BIO": "BIO", "BIOALARM": "BIO", "BOMB": "BOMB", "BOMB-S": "BOMB",
    "C100": "TERROR", "C10": "BARICADE", "C11": "BARICADE", "C11-CR": "BARICADE", "C12": "BARICADE",
    "CCW": "WEAPON", "CW": "WELFARE", "DRAGNET": "RECKDRV", "EJECT": "TRESPASS", "ESCAPE": "ESCAPE",
    "EVAC": "MAJORINC", "EXPLO": "EXPLOS", "FIREHZRD": "FIREWRKS", "FIREWORK": "FIREWRKS", "FJ": "PERFND",
    "FOUND": "PROPFND", "FP": "PURSUIT", "FP-WARRANT": "PERWANT", "FS": "PERFND", "GPSPAL": "PERWANT",
    "HATEINV": "INVEST", "HZRD": "THAZ", "INFO": "INFO", "LOJACK": "VEHSTLN", "LOST": "PROPLOST",
    "MJ": "PERMISS", "MP": "PERMISS", "MS": "PERMISS", "MUTAID": "ASSIST", "NARC": "DRUGS",
    "PARTY": "NOISE", "PARTY-CR": "NOISE", "PLATE": "PROPSTLN", "RESCUE": "RESCUE", "RJ": "RUNAWAY",
    "SKATE": "PARKING", "SLEEPER": "WELFARE", "SUSP": "SUSP", "T": "TSTOP", "TAGGER": "VANDAL",
    "TARASOFF": "THREATS", "TERROR": "TERROR", "TP": "PURSUIT", "TRO": "ORDERV", "VARDA": "ALRU",
    "WARRANT": "PERWANT", "MPSSTP": "TSTOP", "1016QC": "SHOPLIFT", "DC": "ADMIN", "DC-S": "ADMIN",
    "1021": "ADMIN", "1021H": "ADMIN", "MTG": "ADMIN", "COURT": "ADMIN", "BLUE": "ASSIST",
    "COVER": "ASSIST", "COVER-CR": "ASSIST", "NONU": "ASSIST", "NONU-CR": "ASSIST", "SCHOOL": "STDBY",
}  # fmt: skip


def read_sd(path: Path) -> list[dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as f:
        for record in csv.reader(f):
            if not record or record[0] in ("", "call_type"):
                continue
            code, name = record[0].strip().upper(), record[1].strip()
            if code in rows:
                if rows[code]["name"] == name:
                    continue  # the file repeats some rows verbatim
                renamed = f"{code}-{name.split()[0]}"
                print(f"collision: San Diego {code} is both {rows[code]['name']!r} and {name!r}; "
                      f"the second becomes {renamed}")  # fmt: skip
                code = renamed
            rows[code] = {
                "code": code,
                "name": name,
                "description": f"San Diego PD call type {record[0]}: {name}",
            }
    return list(rows.values())


def read_apco(path: Path, taken: set[str]) -> list[dict[str, str]]:
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as f:
        for record in csv.DictReader(f):
            apco = record["code"].strip().upper()
            code = apco
            note = ""
            if apco in taken:
                code = APCO_PREFIX + apco
                note = f" (code {apco} is a San Diego code here, so this APCO type is {code})"
                print(
                    f"collision: APCO {apco} ({record['name']}) collides with a San Diego code; kept as {code}"
                )
            rows.append(
                {
                    "code": code,
                    "name": record["name"].strip(),
                    "description": f"APCO 2.103.1 {apco}: {record['description'].strip()}{note}",
                    "apco_code": apco,
                }
            )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "calls" / "data" / "call_types.csv")
    parser.add_argument("--rules", type=Path, default=ROOT / "triage" / "data" / "default_rules.yaml")
    args = parser.parse_args()

    sd_rows = read_sd(args.data / "sdpd_call_types.csv")
    apco_codes = set()
    with (args.data / "apco_2.103.1-2012_common_incident_types.csv").open(encoding="utf-8-sig") as f:
        apco_codes = {r["code"].strip().upper() for r in csv.DictReader(f)}
    for row in sd_rows:
        apco = SD_TO_APCO.get(row["code"], "")
        if apco and apco not in apco_codes:
            raise SystemExit(f"{row['code']}: mapped to {apco}, which is not an APCO code")
        row["apco_code"] = apco
    apco_rows = read_apco(
        args.data / "apco_2.103.1-2012_common_incident_types.csv", {r["code"] for r in sd_rows}
    )

    compiled = compile_ruleset(version=0, rules=load_rules_file(args.rules))
    uncovered = []
    out_rows = []
    for row in sd_rows + apco_rows:
        decision = triage(compiled, CallInput(call_type=row["code"]))
        if not decision.rule:
            uncovered.append(row["code"])
        out_rows.append({**row, "agencies": "+".join(decision.agencies), "priority": decision.priority})
    if uncovered:
        raise SystemExit(f"no default rule covers these call types: {', '.join(uncovered)}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(
            f, fieldnames=["code", "name", "description", "apco_code", "agencies", "priority"]
        )
        writer.writeheader()
        writer.writerows(out_rows)
    print(f"{args.out}: {len(sd_rows)} San Diego + {len(apco_rows)} APCO = {len(out_rows)} call types")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
