"""The referrals directory (referrals.yaml): services by category and district, with hours and
languages. A survivor is sent the services of her district first, then those open to anyone,
in her language where the entry has it."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.config.yamlsource import Map, Problem, YAMLSourceError, load, read

CATEGORIES = ("shelter", "legal", "medical", "one_stop", "police", "emergency")
KEYS = ("category", "district", "name", "address", "phone", "hours", "languages")
MAX_SENT = 3  # a short SMS she can act on, not a list


@dataclass(frozen=True)
class Service:
    category: str
    district: str
    name: dict
    phone: str
    hours: dict
    languages: tuple[str, ...]
    address: dict | None = None

    def line(self, lang: str) -> str:
        """"Name: phone (hours)"; a name that already gives the number ("ask 181 for the
        nearest") is not followed by it again."""
        name = self.name.get(lang) or self.name["en"]
        hours = self.hours.get(lang) or self.hours.get("en", "")
        said = f"{name}" if _digits(self.phone) in _digits(name) else f"{name}: {self.phone}"
        return f"{said} ({hours})" if hours else said


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit()) or "-"


class Directory:
    def __init__(self, services: list[Service]):
        self.services = services

    def find(self, category: str, district: str | None, lang: str) -> list[Service]:
        """Her district's first, then those for anyone; those speaking her language first."""
        fits = [s for s in self.services if s.category == category and s.district in (district, "all")]
        fits.sort(key=lambda s: (s.district == "all", lang not in s.languages))
        return fits[:MAX_SENT]


def load_directory(path: str, districts: set[str] | None = None) -> Directory:
    """Read and check the directory; YAMLSourceError lists every problem with file and line.
    `districts`: the districts the flows know (a service in another cannot be found)."""
    data = load(read(path), path)
    problems: list[Problem] = []
    if not isinstance(data, Map) or not isinstance(data.get("services"), list):
        raise YAMLSourceError([Problem(path, 1, "a referrals directory is a mapping with services:")])
    services = []
    for i, raw in enumerate(data["services"]):
        line = data["services"].line_of(i)
        if not isinstance(raw, Map):
            problems.append(Problem(path, line, "a service is a mapping with category:, district:, name:, phone:"))
            continue
        for key in raw:
            if key not in KEYS:
                problems.append(Problem(path, raw.line_of(key), f'unknown key "{key}" ({", ".join(KEYS)})'))
        category, district = raw.get("category"), str(raw.get("district", "")).lower()
        if category not in CATEGORIES:
            problems.append(Problem(path, raw.line_of("category"), f"category must be one of {', '.join(CATEGORIES)}"))
        if not district or (districts is not None and district != "all" and district not in districts):
            problems.append(Problem(path, raw.line_of("district"),
                                    f'district "{district}" is not one the flows know (or "all")'))
        name = raw.get("name")
        if not isinstance(name, dict) or not str(name.get("en", "")).strip():
            problems.append(Problem(path, raw.line_of("name"), "name needs at least its English text (en:)"))
            name = {"en": str(name or "")}
        phone = str(raw.get("phone", "")).strip()
        if not phone or not phone.replace(" ", "").replace("-", "").lstrip("+").isdigit():
            problems.append(Problem(path, raw.line_of("phone"), f'phone "{phone}" is not a number to call'))
        languages = raw.get("languages") or ["en"]
        if not isinstance(languages, list):
            problems.append(Problem(path, raw.line_of("languages"), "languages must be a list such as [en, ta]"))
            languages = ["en"]
        hours = raw.get("hours", "")
        hours = dict(hours) if isinstance(hours, dict) else {"en": str(hours)}
        services.append(Service(str(category), district, dict(name), phone, hours,
                                tuple(str(x) for x in languages), raw.get("address")))
    if problems:
        raise YAMLSourceError(problems)
    return Directory(services)


def districts_of(flows) -> set[str]:
    """Every district any flow knows: a service must sit in one of them (or in "all")."""
    return {d for flow in flows.flows.values() for d in flow.districts}
