"""The EIDO mapping, both ways, as pure functions over plain values (docs/eido.md is its table).

- `eido_build(...)`: a call (with its units, caution flags and screening answers) -> an EIDO
  document. Clinical notes are never handed to it, so they can never leave.
- `eido_read(document)`: an EIDO document -> `EidoIncoming`, the fields `call_create` takes plus
  what only the exchange keeps (the sender, their incident id, dispatch group and resources).

Registry values (agency roles, location types, person roles, unit statuses, emergency resource
types) are those of NENA-STA-021.1b section 3; incident types are the APCO common incident type
codes (data/apco_2.103.1-2012_common_incident_types.csv) that section 3.2 registers.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

APCO_FILE = Path(__file__).resolve().parent.parent / "data" / "apco_2.103.1-2012_common_incident_types.csv"
EIDO_VERSION = "1.0"

# Screening answers travel as cautions (only a "yes": an unknown stays unknown at the receiver).
SCREENING_CAUTIONS = {
    "weapons": "Weapons reported",
    "violence": "Violence reported",
    "medical": "Medical emergency reported",
}
CAUTION_FLAG = "caution_flag"  # cautionTypeInternalText of a premise / caller caution flag

# Our agencies -> NENA Emergency Resource Type-Common (STA-021.1b table 3-11).
RESOURCE_TYPES = {"POLICE": "PatrolUnit", "ACS": "CrisisInterventionUnit"}
FIRE_EMS_TYPES = {"als": "GroundALSAmbulance", "bls": "GroundBLSAmbulance"}
FIRE_ENGINE = "StructureFireEngineType1"
# Our unit statuses -> Primary / Secondary Unit Status-Common (tables 3-9, 3-10).
UNIT_STATUS = {
    "AVAILABLE": ("Available", ["InService"]),
    "DISPATCHED": ("NotAvailable", ["Dispatched"]),
    "EN_ROUTE": ("NotAvailable", ["EnRoute"]),
    "ON_SCENE": ("NotAvailable", ["OnScene"]),
    "TRANSPORTING": ("NotAvailable", ["Transporting"]),
    "OUT_OF_SERVICE": ("NotAvailable", ["OutofService"]),
}
# Our call statuses -> Incident Status-Common (table 3-3).
INCIDENT_STATUS = {
    "NEW": "Active",
    "TRIAGED": "Active",
    "PENDING": "Active",
    "DISPATCHED": "ResourcesAssigned",
    "ON_SCENE": "ResourcesOnscene",
    "CLOSED": "Closed",
    "CANCELLED": "Cancelled",
    "DUPLICATE": "Closed",
}

NS = {
    "pidf": "urn:ietf:params:xml:ns:pidf",
    "gp": "urn:ietf:params:xml:ns:pidf:geopriv10",
    "gml": "http://www.opengis.net/gml",
    "ca": "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr",
}


@cache
def apco_types() -> dict[str, str]:
    """APCO common incident type code -> name (the EIDO-IncidentType-Common registry)."""
    with APCO_FILE.open(newline="") as handle:
        return {row["code"].strip().upper(): row["name"].strip() for row in csv.DictReader(handle)}


# --- export
@dataclass(frozen=True)
class ResourceOut:
    call_sign: str
    agency: str
    capabilities: list[str]
    status: str
    acknowledged: bool


@dataclass(frozen=True)
class CallOut:
    number: str
    received_at: dt.datetime
    status: str
    call_type_code: str
    call_type_name: str
    apco_code: str
    narrative: str
    address: str
    lat: float | None
    lon: float | None
    zone: str
    priority: int | None
    caller_name: str
    caller_phone: str
    screening_yes: list[str]  # of SCREENING_CAUTIONS' keys
    caution_flags: list[str]  # texts
    resources: list[ResourceOut]


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def pidf_point(*, lat: float, lon: float, entity: str) -> str:
    """A PIDF-LO (RFC 4119 / 5491) document with one WGS 84 point."""
    return (
        f'<presence xmlns="{NS["pidf"]}" xmlns:gp="{NS["gp"]}" xmlns:gml="{NS["gml"]}" entity="{escape(entity)}">'
        '<tuple id="incident"><status><gp:geopriv><gp:location-info>'
        f'<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>{lat:.6f} {lon:.6f}</gml:pos></gml:Point>'
        "</gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple></presence>"
    )


def eido_build(*, call: CallOut, agency_id: str, now: dt.datetime) -> dict[str, Any]:
    """The EIDO of one call, as sent by `agency_id` (a domain name identifying this center)."""

    def uid(kind: str, suffix: str = "") -> str:
        return f"urn:emergency:uid:{kind}:{call.number}{suffix}:{agency_id}"

    def prologue(component_id: str) -> dict[str, Any]:
        return {
            "$id": component_id,
            "lastUpdateTimeStamp": _stamp(now),
            "updatedByAgencyReference": {"$ref": agency_id},
        }

    def ref(component_id: str) -> dict[str, str]:
        return {"$ref": component_id}

    location_id, person_id, callback_id = uid("locationid"), uid("personid"), uid("callbackid")
    incident: dict[str, Any] = {
        **prologue(uid("incidentid")),
        # Required. A call type without an APCO mapping, or no call type, sends "" (no common type
        # is known) rather than a registry value that would misstate the incident; the type's
        # words are in incidentTypeInternalText and the narrative in the notes.
        "incidentTypeCommonRegistryText": call.apco_code,
        "internalIncidentId": call.number,
        "incidentStatusInternalText": [call.status],
        "incidentStatusCommonRegistryText": [INCIDENT_STATUS.get(call.status, "Active")],
    }
    if call.call_type_code:
        incident["incidentTypeInternalCode"] = call.call_type_code
        incident["incidentTypeInternalText"] = call.call_type_name
    if call.priority is not None:
        incident["incidentPriorityInternalText"] = f"P{call.priority}"
        incident["incidentCommonPriorityNumber"] = call.priority
    if call.zone:
        incident["beatOrDispatchGroupText"] = call.zone

    document: dict[str, Any] = {
        **prologue(uid("incidentid", ".eido")),
        "eidoVersion": EIDO_VERSION,
        "issuingElementIdentification": agency_id,
        "agencyComponent": [
            {
                **prologue(agency_id),
                "agencyRoleDescriptionRegistryText": ["CallReceiving", "Dispatching"],
                "agencyType": ["psap"],
                "incidentOwningAgencyIndicator": True,
            }
        ],
        "incidentComponent": incident,
        "callComponent": [
            {
                **prologue(uid("callid")),
                "standardPrimaryCallType": "emergency",
                "direction": "incoming",
                "callStartTimestamp": _stamp(call.received_at),
                "callStateRegistryText": "callAnswered",
            }
        ],
    }

    if call.address or (call.lat is not None and call.lon is not None):
        location: dict[str, Any] = {
            **prologue(location_id),
            "locationTypeDescriptionRegistryText": "CurrentIncident",
        }
        if call.lat is not None and call.lon is not None:
            location["locationByValue"] = pidf_point(
                lat=call.lat, lon=call.lon, entity=f"pres:{call.number}@{agency_id}"
            )
        if call.address:
            location["locationDescriptionText"] = call.address
        document["locationComponent"] = [location]
        incident["locationReference"] = [ref(location_id)]
        document["callComponent"][0]["locationReference"] = [ref(location_id)]

    if call.caller_name or call.caller_phone:
        person: dict[str, Any] = {**prologue(person_id), "personIncidentRoleRegistryText": ["Caller"]}
        if call.caller_name:
            person["ncPersonComponent"] = {"name": [{"personFullName": [{"value": call.caller_name}]}]}
        if call.caller_phone:
            document["callbackComponent"] = [
                {**prologue(callback_id), "callBackInformationUri": [f"tel:{call.caller_phone}"]}
            ]
            person["callBackReference"] = ref(callback_id)
        document["personComponent"] = [person]
        incident["personReference"] = [ref(person_id)]

    notes: list[dict[str, Any]] = []
    if call.narrative:
        notes.append({**prologue(uid("notesid", ".narrative")), "notesActionComments": call.narrative})
    if notes:
        document["notesComponent"] = notes
        incident["notesReference"] = [ref(n["$id"]) for n in notes]

    cautions = []
    for key in call.screening_yes:
        cautions.append(
            {
                **prologue(uid("cautionid", f".{key}")),
                "cautionTypeInternalText": key,
                "cautionTypeCommonRegistryText": SCREENING_CAUTIONS[key],
                "cautionSeverity": "highest",
                "cautionSource": "call-taker screening",
            }
        )
    for index, text in enumerate(call.caution_flags, start=1):
        cautions.append(
            {
                **prologue(uid("cautionid", f".flag{index}")),
                "cautionTypeInternalText": CAUTION_FLAG,
                "cautionTypeCommonRegistryText": text,
                "cautionSeverity": "high",
                "cautionSource": "premise or caller caution flag",
            }
        )
    if cautions:
        document["cautionComponent"] = cautions

    resources = []
    for resource in call.resources:
        primary, secondary = UNIT_STATUS.get(resource.status, ("NotAvailable", []))
        if resource.acknowledged and resource.status == "DISPATCHED":
            secondary = [*secondary, "AcknowledgedTransmission"]
        resources.append(
            {
                **prologue(uid("resourceid", f".{resource.call_sign}")),
                "emergencyResourceName": resource.call_sign,
                "emergencyResourceTypeCommonRegistryText": resource_type(
                    resource.agency, resource.capabilities
                ),
                "emergencyResourceTypeInternalText": resource.agency,
                "resourceAttributeRegistryText": [],
                "resourceAttributeInternalText": list(resource.capabilities),
                "primaryUnitStatusRegistryText": primary,
                "secondaryUnitStatusRegistryText": secondary,
                "unitStatusInternal": [resource.status],
                "agentReference": [],
                "activeOnIncidentId": incident["$id"],
            }
        )
    if resources:
        document["emergencyResourceComponent"] = resources
        document["dispatchComponent"] = [
            {
                **prologue(uid("dispatchid")),
                "agencyReference": ref(agency_id),
                "emergencyResourceReference": [ref(r["$id"]) for r in resources],
            }
        ]
    return document


def resource_type(agency: str, capabilities: list[str]) -> str:
    if agency == "FIRE_EMS":
        for capability, kind in FIRE_EMS_TYPES.items():
            if capability in capabilities:
                return kind
        return FIRE_ENGINE
    return RESOURCE_TYPES.get(agency, "PatrolUnit")


# --- import
@dataclass
class EidoIncoming:
    """What an EIDO says, in our terms."""

    sender: str
    eido_id: str
    incident_id: str
    call_type_code: str = ""  # their internal code (ours when the EIDO came from this CAD)
    incident_type: str = ""  # the APCO common incident type code
    incident_type_text: str = ""  # words for triage when no call type matches
    narrative_parts: list[str] = field(default_factory=list)
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    caller_name: str = ""
    caller_phone: str = ""
    dispatch_group: str = ""
    screening_yes: list[str] = field(default_factory=list)
    cautions: list[str] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)


def _by_id(components: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    return {c["$id"]: c for c in components or [] if isinstance(c, dict) and "$id" in c}


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = [value]
    return [r["$ref"] for r in value or [] if isinstance(r, dict) and "$ref" in r]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def pidf_read(text: str) -> tuple[float | None, float | None, str]:
    """(lat, lon, civic address) from a PIDF-LO document; what it lacks comes back empty."""
    # No DTDs: an entity declaration could expand without bound (and a PIDF-LO has none).
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return None, None, ""
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError:
        return None, None, ""
    lat = lon = None
    civic = {}
    for element in root.iter():
        name = _local(element.tag)
        if name == "pos" and lat is None and element.text:
            numbers = re.findall(r"-?\d+(?:\.\d+)?", element.text)
            if len(numbers) >= 2:
                lat, lon = float(numbers[0]), float(numbers[1])
        elif name == "civicAddress":
            civic = {_local(child.tag): (child.text or "").strip() for child in element}
    street = " ".join(civic.get(k, "") for k in ("HNO", "HNS", "PRD", "RD", "STS", "POD") if civic.get(k))
    place = ", ".join(v for v in (street, civic.get("A3", ""), civic.get("A1", "")) if v)
    if lat is not None and not (-90 <= lat <= 90 and -180 <= (lon or 0) <= 180):
        lat = lon = None
    return lat, lon, place


def _comment_texts(xml_text: str) -> list[str]:
    """The comments of an RFC 7852 EmergencyCallData.Comment block."""
    if "<!DOCTYPE" in xml_text or "<!ENTITY" in xml_text:
        return []
    try:
        root = ET.fromstring(xml_text.strip())
    except ET.ParseError:
        return []
    if _local(root.tag) != "EmergencyCallData.Comment":
        return []
    return [e.text.strip() for e in root.iter() if _local(e.tag) == "Comment" and e.text and e.text.strip()]


def eido_read(document: dict[str, Any]) -> EidoIncoming:
    """Read a schema-valid EIDO. The incident's own location, people and notes come first; without
    an incident component, the first call's."""
    incident = document.get("incidentComponent") or {}
    calls = document.get("callComponent") or []
    first_call = calls[0] if calls else {}
    owner = incident or first_call
    incoming = EidoIncoming(
        sender=str(document.get("issuingElementIdentification", "")),
        eido_id=str(document.get("$id", "")),
        incident_id=str(incident.get("$id") or first_call.get("$id") or document.get("$id", "")),
        call_type_code=str(incident.get("incidentTypeInternalCode", "")),
        incident_type=str(incident.get("incidentTypeCommonRegistryText", "")).strip().upper(),
        dispatch_group=str(incident.get("beatOrDispatchGroupText", "")),
    )
    apco_name = apco_types().get(incoming.incident_type, "")
    incoming.incident_type_text = str(incident.get("incidentTypeInternalText") or apco_name)

    locations = _by_id(document.get("locationComponent"))
    wanted = _refs(owner.get("locationReference"))
    ordered = [locations[i] for i in wanted if i in locations] + [
        loc for i, loc in locations.items() if i not in wanted
    ]
    # The incident's location before the caller's or the routing one.
    rank = {"CurrentIncident": 0, "InitialIncident": 1, "Caller": 2}
    ordered.sort(key=lambda loc: rank.get(loc.get("locationTypeDescriptionRegistryText", ""), 3))
    for location in ordered:
        lat, lon, civic = (
            pidf_read(location.get("locationByValue", ""))
            if location.get("locationByValue")
            else (None, None, "")
        )
        address = location.get("locationDescriptionText") or civic
        if lat is not None or address:
            incoming.lat, incoming.lon, incoming.address = lat, lon, str(address)[:200]
            break

    people = _by_id(document.get("personComponent"))
    callbacks = _by_id(document.get("callbackComponent"))
    for person in people.values():
        if "Caller" not in person.get(
            "personIncidentRoleRegistryText", []
        ) and "ReportingParty" not in person.get("personIncidentRoleRegistryText", []):
            continue
        for name in (person.get("ncPersonComponent") or {}).get("name", []):
            full = [
                part.get("value", "") for part in name.get("personFullName", []) if isinstance(part, dict)
            ]
            if any(full):
                incoming.caller_name = " ".join(v for v in full if v)[:120]
                break
        for callback_id in _refs(person.get("callBackReference")):
            for uri in (callbacks.get(callback_id) or {}).get("callBackInformationUri", []):
                if uri.startswith("tel:"):
                    incoming.caller_phone = uri.removeprefix("tel:")[:30]
                    break
        break

    for note in document.get("notesComponent") or []:
        text = str(note.get("notesActionComments", "")).strip()
        if text:
            incoming.narrative_parts.append(text)
    for data in document.get("additionalDataComponent") or []:
        incoming.narrative_parts.extend(_comment_texts(str(data.get("additionalDataByValue", ""))))

    for caution in document.get("cautionComponent") or []:
        internal = caution.get("cautionTypeInternalText", "")
        if internal in SCREENING_CAUTIONS:
            incoming.screening_yes.append(internal)
        else:
            incoming.cautions.append(str(caution.get("cautionTypeCommonRegistryText") or internal))

    for resource in document.get("emergencyResourceComponent") or []:
        incoming.resources.append(
            {
                "name": str(resource.get("emergencyResourceName") or resource.get("$id", "")),
                "type": str(resource.get("emergencyResourceTypeCommonRegistryText", "")),
                "agency": str(resource.get("emergencyResourceTypeInternalText", "")),
                "status": str(resource.get("primaryUnitStatusRegistryText", "")),
                "secondary_status": list(resource.get("secondaryUnitStatusRegistryText", [])),
            }
        )
    return incoming
