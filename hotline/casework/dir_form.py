"""Form I (Protection of Women from Domestic Violence Rules, 2006, rule 5(1) and (2); Gazette of
India, G.S.R. 644(E), 17 October 2006): the Domestic Incident Report's sections and fields, what
a draft may hold, and what a DIR needs before it is final.

The sections follow Form I: 1. the aggrieved person; 2. the respondents; 3. her children (name,
age, sex, with whom she or he lives); 4. the incidents, by kind (physical, sexual, verbal and
emotional, economic, dowry-related), each with the form's columns (date, place and time; the
person who caused it) and its list of acts; 5. documents attached; 6. orders she seeks
(ss.18-22); 7. assistance she needs; 8. who recorded it, where and when, with the Protection
Officer's or service provider's countersignature (name, address, seal). What is written is kept
as one sealed JSON text (store.seal).

ACTS is Form I's list under each kind of violence, in plain words; its wording wants checking
against the gazetted form by someone who has it at hand (review: legal) before a court relies on
the printed list."""

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
    kind: str = "text"  # text | long | check | date | time | number
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
            Field(f"child_{n}_sex", pgettext("casework.dir_child_sex", "Sex"), size=20),
            Field(f"child_{n}_with", pgettext("casework.dir_child_with", "Living with (custody now)")))


INCIDENT_KINDS = {
    "physical": pgettext("casework.dir_physical", "Physical violence"),
    "sexual": pgettext("casework.dir_sexual", "Sexual violence"),
    "verbal": pgettext("casework.dir_verbal", "Verbal and emotional abuse"),
    "economic": pgettext("casework.dir_economic", "Economic violence"),
    "dowry": pgettext("casework.dir_dowry", "Dowry-related harassment"),
}
OTHER_ACT = pgettext("casework.act_other", "Any other (write it below)")
# Form I's acts under each kind of violence (the console's ticks, the PDF's list): key -> label
ACTS: dict[str, dict[str, tuple[str, str]]] = {
    "physical": {
        "slapping": pgettext("casework.act_slapping", "Slapping"),
        "hitting": pgettext("casework.act_hitting", "Hitting"),
        "kicking": pgettext("casework.act_kicking", "Kicking"),
        "punching": pgettext("casework.act_punching", "Punching"),
        "pushing": pgettext("casework.act_pushing", "Pushing, shoving"),
        "other": OTHER_ACT,
    },
    "sexual": {
        "forced_intercourse": pgettext("casework.act_forced_intercourse", "Forced sexual intercourse"),
        "forced_pornography": pgettext("casework.act_forced_pornography",
                                       "Forced to watch pornography or other obscene material"),
        "used_pornography": pgettext("casework.act_used_pornography", "Used by force for pornography"),
        "degrading": pgettext("casework.act_degrading", "An act of a sexual nature that abuses, humiliates or "
                                                        "degrades her, or violates her dignity"),
        "other": OTHER_ACT,
    },
    "verbal": {
        "character": pgettext("casework.act_character", "Accusations or slurs on her character or conduct"),
        "no_dowry": pgettext("casework.act_no_dowry", "Insults for not bringing dowry"),
        "no_son": pgettext("casework.act_no_son", "Insults for not having a male child"),
        "no_child": pgettext("casework.act_no_child", "Insults for not having a child"),
        "demeaning": pgettext("casework.act_demeaning", "Demeaning, humiliating or belittling remarks"),
        "ridicule": pgettext("casework.act_ridicule", "Ridicule"),
        "names": pgettext("casework.act_names", "Name-calling"),
        "no_school": pgettext("casework.act_no_school", "Stopping her from going to school, college or other study"),
        "no_job": pgettext("casework.act_no_job", "Stopping her from taking up a job"),
        "no_leaving": pgettext("casework.act_no_leaving", "Stopping her from leaving the house"),
        "no_meeting": pgettext("casework.act_no_meeting", "Stopping her from meeting a particular person"),
        "forced_marriage": pgettext("casework.act_forced_marriage", "Forcing her to marry against her will"),
        "no_choice": pgettext("casework.act_no_choice", "Stopping her from marrying a person of her choice"),
        "their_choice": pgettext("casework.act_their_choice", "Forcing her to marry a person of their choice"),
        "suicide_threat": pgettext("casework.act_suicide_threat", "Threats to commit suicide"),
        "other": OTHER_ACT,
    },
    "economic": {
        "no_money": pgettext("casework.act_no_money", "Not giving money to maintain her or her children"),
        "no_food": pgettext("casework.act_no_food", "Not giving food, clothes or medicine for her or her children"),
        "forced_out": pgettext("casework.act_forced_out", "Forcing her out of the house she lives in"),
        "no_part": pgettext("casework.act_no_part", "Stopping her from using any part of the house"),
        "no_work": pgettext("casework.act_no_work", "Stopping her from going on with her job"),
        "takes_income": pgettext("casework.act_takes_income", "Taking away her salary, wages or other income"),
        "no_use_income": pgettext("casework.act_no_use_income", "Not letting her use her own salary or wages"),
        "no_rent": pgettext("casework.act_no_rent", "Not paying the rent of a rented home"),
        "no_things": pgettext("casework.act_no_things", "Not letting her use clothes or everyday household things"),
        "stridhan_sold": pgettext("casework.act_stridhan_sold", "Selling or pawning her stridhan or valuables "
                                                                "without telling her or without her consent"),
        "cut_off": pgettext("casework.act_cut_off", "Cutting off water, electricity and the like"),
        "other": OTHER_ACT,
    },
    "dowry": {
        "demanded": pgettext("casework.act_dowry_demanded", "Dowry demanded (write what, below)"),
        "other": OTHER_ACT,
    },
}
# Form I's columns for each kind: date, place and time of the violence; who caused it
WHEN = (("on", pgettext("casework.dir_incident_on", "Date of the violence"), "date", 10),
        ("time", pgettext("casework.dir_incident_time", "Time"), "time", 20),
        ("place", pgettext("casework.dir_incident_place", "Place"), "text", 200),
        ("by", pgettext("casework.dir_incident_by", "Person who caused it"), "text", 200))
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
            *(Field(f"incident_{kind}_{key}", text, kind_, size) for key, text, kind_, size in WHEN),
            *(Field(f"incident_{kind}_act_{act}", text, "check") for act, text in ACTS[kind].items()),
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
        Field("doc_stridhan", pgettext("casework.dir_doc_stridhan", "List of stridhan"), "check"),
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
        Field("recorded_address", pgettext("casework.dir_recorded_address",
                                           "Address of the Protection Officer or service provider"), "long", 500),
        Field("recorded_place", pgettext("casework.dir_recorded_place", "Place")),
        Field("recorded_on", pgettext("casework.dir_recorded_on", "Date"), "date", 10),
    )),
)
FIELDS = {f.key: f for section in SECTIONS for f in section.fields}
# what DELETE drops from a DIR the law keeps: hotline/store/legal.py (the court does not need her number)


def from_form(form) -> dict[str, str]:
    """The DIR's fields from a submitted form (anything else is ignored), trimmed to their size."""
    content = {}
    for kind, acts in ACTS.items():  # an act ticked is that kind of violence ticked
        if any(form.get(f"incident_{kind}_act_{act}") for act in acts):
            content[f"incident_{kind}"] = "yes"
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
    for kind in INCIDENT_KINDS:
        on = content.get(f"incident_{kind}_on")
        if on and not _is_date(on):
            found.append(f"Section 4: the date of the violence ({kind}), as YYYY-MM-DD.")
    for key in ("age", *(f"child_{n}_age" for n in range(1, CHILDREN + 1))):
        if content.get(key) and not content[key].isdigit():
            found.append(f"An age is a number ({key.replace('_', ' ')}).")
    return found


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def seal(store, content: dict[str, str]) -> str:
    return store.seal(json.dumps(content, ensure_ascii=False, sort_keys=True))


def unseal(store, token: str | None) -> dict[str, str]:
    raw = store.unseal(token)
    return json.loads(raw) if raw else {}
