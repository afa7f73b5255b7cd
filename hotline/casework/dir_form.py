"""Form I (Protection of Women from Domestic Violence Rules, 2006, rule 5): the Domestic Incident
Report's sections and fields, what a draft may hold, and what a DIR needs before it is final.

The sections follow Form I: 1. the aggrieved person; 2. the respondents; 3. her children;
4. the incidents, by kind (physical, sexual, verbal and emotional, economic, dowry-related);
5. documents attached; 6. orders she seeks (ss.18-22); 7. assistance she needs; 8. who recorded
it, where and when. What is written is kept as one sealed JSON text (store.seal)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from hotline.casework.labels import pgettext

MAX_FIELD = 4000
RESPONDENTS = 3
CHILDREN = 3


@dataclass(frozen=True)
class Field:
    key: str
    label: tuple[str, str]
    kind: str = "text"  # text | long | check | date | number
    size: int = 200


@dataclass(frozen=True)
class Section:
    key: str
    title: tuple[str, str]
    fields: tuple[Field, ...]


def _respondent(n: int) -> tuple[Field, ...]:
    return (Field(f"respondent_{n}_name", pgettext("casework.dir_respondent_name", "Name")),
            Field(f"respondent_{n}_relation", pgettext("casework.dir_respondent_relation", "Relationship to her")),
            Field(f"respondent_{n}_address", pgettext("casework.dir_address", "Address"), "long", 500),
            Field(f"respondent_{n}_phone", pgettext("casework.dir_phone", "Phone number"), size=30))


def _child(n: int) -> tuple[Field, ...]:
    return (Field(f"child_{n}_name", pgettext("casework.dir_child_name", "Child's name")),
            Field(f"child_{n}_age", pgettext("casework.dir_age", "Age"), "number", 3),
            Field(f"child_{n}_with", pgettext("casework.dir_child_with", "Living with (custody now)")))


INCIDENT_KINDS = {
    "physical": pgettext("casework.dir_physical", "Physical violence"),
    "sexual": pgettext("casework.dir_sexual", "Sexual violence"),
    "verbal": pgettext("casework.dir_verbal", "Verbal and emotional abuse"),
    "economic": pgettext("casework.dir_economic", "Economic violence"),
    "dowry": pgettext("casework.dir_dowry", "Dowry-related harassment"),
}
ORDERS_SOUGHT = {
    "order_s18": pgettext("casework.order_s18", "Protection order (section 18)"),
    "order_s19": pgettext("casework.order_s19", "Residence order (section 19)"),
    "order_s20": pgettext("casework.order_s20", "Monetary relief (section 20)"),
    "order_s21": pgettext("casework.order_s21", "Custody order (section 21)"),
    "order_s22": pgettext("casework.order_s22", "Compensation order (section 22)"),
}
ASSISTANCE = {
    "help_counsellor": pgettext("casework.help_counsellor", "Counselling"),
    "help_police": pgettext("casework.help_police", "Police assistance"),
    "help_criminal": pgettext("casework.help_criminal", "Help to start criminal proceedings"),
    "help_shelter": pgettext("casework.help_shelter", "Shelter home"),
    "help_medical": pgettext("casework.help_medical", "Medical care"),
    "help_legal_aid": pgettext("casework.help_legal_aid", "Legal aid"),
}

SECTIONS: tuple[Section, ...] = (
    Section("aggrieved", pgettext("casework.dir_s1", "1. The aggrieved person"), (
        Field("name", pgettext("casework.dir_name", "Name")),
        Field("age", pgettext("casework.dir_age", "Age"), "number", 3),
        Field("shared_household", pgettext("casework.dir_shared_household", "Address of the shared household"),
              "long", 500),
        Field("present_address", pgettext("casework.dir_present_address", "Present address"), "long", 500),
        Field("phone", pgettext("casework.dir_phone", "Phone number"), size=30),
    )),
    Section("respondents", pgettext("casework.dir_s2", "2. The respondents"),
            tuple(f for n in range(1, RESPONDENTS + 1) for f in _respondent(n))),
    Section("children", pgettext("casework.dir_s3", "3. Her children"),
            tuple(f for n in range(1, CHILDREN + 1) for f in _child(n))),
    Section("incidents", pgettext("casework.dir_s4", "4. Incidents of domestic violence"), tuple(
        [f for kind, label in INCIDENT_KINDS.items() for f in (
            Field(f"incident_{kind}", label, "check"),
            Field(f"incident_{kind}_details",
                  pgettext("casework.dir_incident_details", "What happened: when, where, who did it"), "long"),
        )] + [
            Field("dowry_items", pgettext("casework.dir_dowry_items", "Dowry demanded, and her stridhan held back"),
                  "long"),
            Field("incident_other", pgettext("casework.dir_incident_other", "Anything else about the violence, "
                                                                            "to her or the children"), "long"),
        ])),
    Section("documents", pgettext("casework.dir_s5", "5. Documents attached"), (
        Field("doc_medical", pgettext("casework.dir_doc_medical", "Medico-legal certificate"), "check"),
        Field("doc_doctor", pgettext("casework.dir_doc_doctor", "Doctor's certificate or prescription"), "check"),
        Field("doc_other", pgettext("casework.dir_doc_other", "Other documents")),
    )),
    Section("orders", pgettext("casework.dir_s6", "6. Orders she seeks"), tuple(
        [Field(key, label, "check") for key, label in ORDERS_SOUGHT.items()]
        + [Field("order_other", pgettext("casework.dir_order_other", "Any other order"))])),
    Section("assistance", pgettext("casework.dir_s7", "7. Assistance she needs"),
            tuple(Field(key, label, "check") for key, label in ASSISTANCE.items())),
    Section("recorded", pgettext("casework.dir_s8", "8. Recorded by"), (
        Field("recorded_by", pgettext("casework.dir_recorded_by",
                                      "Protection Officer or service provider (name, registration)")),
        Field("recorded_place", pgettext("casework.dir_recorded_place", "Place")),
        Field("recorded_on", pgettext("casework.dir_recorded_on", "Date"), "date", 10),
    )),
)
FIELDS = {f.key: f for section in SECTIONS for f in section.fields}
# what DELETE drops from a DIR the law keeps: hotline/store/legal.py (the court does not need her number)


def from_form(form) -> dict[str, str]:
    """The DIR's fields from a submitted form (anything else is ignored), trimmed to their size."""
    content = {}
    for key, f in FIELDS.items():
        if f.kind == "check":
            if form.get(key):
                content[key] = "yes"
            continue
        value = (form.get(key) or "").strip()[:f.size if f.kind != "long" else MAX_FIELD]
        if value:
            content[key] = value
    return content


def problems(content: dict[str, str]) -> list[str]:
    """What a draft still lacks before it may be finalised (English: the console's language)."""
    found = []
    if not content.get("name"):
        found.append("Section 1: her name.")
    if not content.get("respondent_1_name") or not content.get("respondent_1_relation"):
        found.append("Section 2: at least one respondent, with the relationship to her.")
    kinds = [k for k in INCIDENT_KINDS if content.get(f"incident_{k}")]
    if not kinds:
        found.append("Section 4: at least one kind of violence.")
    for kind in kinds:
        if not content.get(f"incident_{kind}_details"):
            found.append(f"Section 4: what happened ({kind}).")
    if not any(content.get(k) for k in (*ORDERS_SOUGHT, "order_other", *ASSISTANCE)):
        found.append("Sections 6-7: an order she seeks or the assistance she needs.")
    if not content.get("recorded_by"):
        found.append("Section 8: who recorded it.")
    try:
        date.fromisoformat(content.get("recorded_on", ""))
    except ValueError:
        found.append("Section 8: the date (YYYY-MM-DD).")
    for key in ("age", *(f"child_{n}_age" for n in range(1, CHILDREN + 1))):
        if content.get(key) and not content[key].isdigit():
            found.append(f"An age is a number ({key.replace('_', ' ')}).")
    return found


def seal(store, content: dict[str, str]) -> str:
    return store.seal(json.dumps(content, ensure_ascii=False, sort_keys=True))


def unseal(store, token: str | None) -> dict[str, str]:
    raw = store.unseal(token)
    return json.loads(raw) if raw else {}
