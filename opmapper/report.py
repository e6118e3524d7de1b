"""Report parsing: the five known layouts of implementation reports -> a Report with offsets.

CONTRACT (owned by the report-parsing work; checks, tagger, batch and render rely on these names).

One linear pass over the lines: each line is either a field label (matched on a folded key, so case,
spacing, punctuation, a trailing colon and mis-encoded accents do not matter; legacy forms put the value
after the colon on the same line) or a value line that belongs to the last label seen. Labels, activity
types, statuses, title words and layout markers are data (``ReportVocabulary``); pass your own to
``parse_report(..., vocabulary=...)``.

Layouts: the title (``... Activity Report`` / ``... Progress Report``) or, failing that, the shape of
the activities (blocks with descriptions vs. a list of types) gives the kind; labels used by one form
version only, inline ``label: value`` lines and flattened ``ActionDescriptionStatus`` rows vote for
the older forms. Translated, mis-encoded or missing labels (layout 5) map onto the form they are a
variant of, and ``Report.warnings`` says what was odd: the label language, mis-encoded characters
(with line numbers), values placed by shape because labels were missing, a text that ends inside an
activity or a label, a cut-off tag list, fields a complete report would have.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import islice
from typing import Any

from ._records import Record, record_maker, shifted, to_jsonable
from .claims import Claim, find_claims
from .errors import InputError
from .references import DEFAULT_PATTERNS, Reference, _references_at, find_resolution_mentions
from .sources import binary_evidence, decode_bytes

LAYOUTS = ("activity-report", "progress-report", "activity-report-legacy", "progress-report-legacy", "unknown")
ACTIVITY_TYPES = (
    "Capacity-building",
    "Convene stakeholders/Networking",
    "Education/Communication/Raising awareness",
    "Field activities",
    "Fundraising",
    "Policy influencing/advocacy",
    "Scientific/technical activities",
    "Other",
)
STATUSES = ("On-going", "Completed")


@dataclass(frozen=True)
class Field(Record):
    """A text value with its offsets into the original text: text == source[start:end]."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Member(Record):
    name: str
    acronym: str | None
    country: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Activity(Record):
    """One activity or future action. ``section`` is "activities" or "future_actions"."""

    section: str
    index: int                         # 0-based position within its section
    type: str | None                   # normalised to ACTIVITY_TYPES, None when absent or unknown
    type_field: Field | None           # the raw type text and its span
    description: Field | None          # None (or empty text) when the description is missing
    status: str | None                 # normalised to STATUSES, None when absent
    status_field: Field | None
    references: tuple[Reference, ...]  # offsets are into the ORIGINAL report text
    claims: tuple[Claim, ...]          # offsets are into the ORIGINAL report text
    start: int                         # span of the whole block in the original text
    end: int

    def to_dict(self) -> dict[str, Any]:
        # the fields read once each and the optional ones tested inline (a Field is never false): this
        # runs for every activity of every report
        kind, status, desc = self.type_field, self.status_field, self.description
        references, claims = self.references, self.claims
        return {
            "section": self.section,
            "index": self.index,
            "type": self.type,
            "type_text": None if kind is None else kind.text,
            "type_span": None if kind is None else [kind.start, kind.end],
            "status": self.status,
            "status_text": None if status is None else status.text,
            "status_span": None if status is None else [status.start, status.end],
            "description": None if desc is None else desc.text,
            "description_span": None if desc is None else [desc.start, desc.end],
            "span": [self.start, self.end],
            "references": _record_dicts(references) if references else [],
            "claims": _record_dicts(claims) if claims else [],
        }


@dataclass(frozen=True)
class Section(Record):
    """A free-text section: "results", "challenges", "future" (free-text future actions), "additional"."""

    name: str
    text: str
    start: int
    end: int
    references: tuple[Reference, ...]
    claims: tuple[Claim, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "text": self.text,
            "span": [self.start, self.end],
            "references": _record_dicts(self.references),
            "claims": _record_dicts(self.claims),
        }


@dataclass(frozen=True)
class Report(Record):
    source: str | None
    text: str                          # the original text; offsets everywhere point into it
    layout: str                        # one of LAYOUTS
    title: Field | None
    resolution_code: str | None        # "WCC-2020-Res-040"
    page_id: int | None
    submitted_by: Field | None
    submitted_on: str | None           # ISO date "2022-09-30"
    constituent: Field | None
    constituent_type: Field | None
    period: Field | None
    geographic_scope: tuple[Field, ...]
    members: tuple[Member, ...]
    secretariat: bool | None
    other_organisations: tuple[Field, ...]
    activities: tuple[Activity, ...]
    future_actions: tuple[Activity, ...]
    results: Section | None
    challenges: Section | None
    future: Section | None             # free-text future actions (legacy layouts)
    implementation_status: Field | None
    report_status: Field | None
    warnings: tuple[str, ...]
    # Added after the first contract (all defaulted, so older constructors keep working):
    commissions: tuple[Field, ...] = ()
    additional: Section | None = None  # free text under "Additional information"
    actions_planned: Field | None = None  # "Are these actions planned for yet" (older progress reports)
    language: str = "en"               # language of the labels: "en", "fr", "es"

    def sections(self) -> tuple[Section, ...]:
        return tuple(s for s in (self.results, self.challenges, self.future, self.additional) if s is not None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: Fields flatten to their text with their spans under ``<name>_span``."""
        # One dict display, keys in the order the JSON has always had; a Section is never false.
        scope, commissions, others = self.geographic_scope, self.commissions, self.other_organisations
        results, challenges, future, additional = self.results, self.challenges, self.future, self.additional
        return {
            "source": self.source, "layout": self.layout, "language": self.language,
            "title": _text(self.title),
            "title_span": _span(self.title),
            "resolution_code": self.resolution_code,
            "page_id": self.page_id,
            "submitted_by": _text(self.submitted_by),
            "submitted_by_span": _span(self.submitted_by),
            "submitted_on": self.submitted_on,
            "constituent": _text(self.constituent),
            "constituent_span": _span(self.constituent),
            "constituent_type": _text(self.constituent_type),
            "constituent_type_span": _span(self.constituent_type),
            "period": _text(self.period),
            "period_span": _span(self.period),
            "geographic_scope": [f.text for f in scope],
            "geographic_scope_spans": [[f.start, f.end] for f in scope],
            "commissions": [f.text for f in commissions],
            "commissions_spans": [[f.start, f.end] for f in commissions],
            "other_organisations": [f.text for f in others],
            "other_organisations_spans": [[f.start, f.end] for f in others],
            "members": [{"name": m.name, "acronym": m.acronym, "country": m.country, "span": [m.start, m.end]}
                        for m in self.members],
            "secretariat": self.secretariat,
            "activities": [a.to_dict() for a in self.activities],
            "future_actions": [a.to_dict() for a in self.future_actions],
            "results": None if results is None else results.to_dict(),
            "challenges": None if challenges is None else challenges.to_dict(),
            "future": None if future is None else future.to_dict(),
            "additional": None if additional is None else additional.to_dict(),
            "implementation_status": _text(self.implementation_status),
            "implementation_status_span": _span(self.implementation_status),
            "actions_planned": _text(self.actions_planned),
            "actions_planned_span": _span(self.actions_planned),
            "report_status": _text(self.report_status),
            "report_status_span": _span(self.report_status),
            "warnings": list(self.warnings),
        }
# The records' constructors without a frozen dataclass's per-field object.__setattr__: the parser makes
# a Field for nearly every value and an Activity per block of every report.
_new_field = record_maker(Field)
_new_member = record_maker(Member)
_new_activity = record_maker(Activity)
_new_section = record_maker(Section)
_new_report = record_maker(Report)


def _text(f: Field | None) -> str | None:
    return None if f is None else f.text


def _span(f: Field | None) -> list[int] | None:
    return None if f is None else [f.start, f.end]


_PLAIN = frozenset({str, int, float, bool, type(None)})
# record class -> the function that makes its dict: its own to_dict, or a field-by-field one
_DICT_MAKERS: dict[type, Any] = {}


def _dict_maker(cls: type) -> Any:
    if cls.to_dict is not Record.to_dict:  # a record with its own to_dict
        make = cls.to_dict
    else:
        names = tuple(f.name for f in dataclasses.fields(cls))

        def make(rec: Any) -> dict[str, Any]:
            row = {}
            for name in names:
                value = getattr(rec, name)
                row[name] = value if type(value) in _PLAIN else to_jsonable(value)
            return row
    _DICT_MAKERS[cls] = make
    return make


def _record_dicts(records) -> list[dict[str, Any]]:
    """``to_jsonable(records)`` for a tuple of records, without its per-value type dispatch on the plain
    values most fields hold (hot in batch runs: every reference and claim of every report); the way to
    turn each class into a dict is looked up once per class."""
    makers = _DICT_MAKERS
    out = []
    for rec in records:
        make = makers.get(type(rec)) or _dict_maker(type(rec))
        out.append(make(rec))
    return out


# ---------------------------------------------------------------- vocabulary (data)
# field -> language -> label variants. A variant ending in "*" matches any label that starts with it
# (the long question-style labels vary in their endings between form versions).
DEFAULT_LABELS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "submitted_by": {"en": ("Submitted by",), "fr": ("Soumis par", "Envoyé par"),
                     "es": ("Enviado por", "Presentado por")},
    "general": {"en": ("General Information",), "fr": ("Informations générales", "Information générale"),
                "es": ("Información general",)},
    "resolution": {"en": ("Resolution",), "fr": ("Résolution",), "es": ("Resolución",)},
    "constituent": {"en": ("IUCN Constituent",), "fr": ("Constituant de l'UICN", "Constituant UICN"),
                    "es": ("Constituyente de la UICN", "Constituyente UICN")},
    "constituent_type": {"en": ("IUCN Constituent type", "Constituent type"),
                         "fr": ("Type de constituant de l'UICN", "Type de constituant"),
                         "es": ("Tipo de constituyente de la UICN", "Tipo de constituyente")},
    "period": {"en": ("Period covered", "Reporting period"), "fr": ("Période couverte",),
               "es": ("Período cubierto", "Periodo cubierto")},
    "geographic_scope": {"en": ("Geographic scope", "Geographical scope"),
                         "fr": ("Portée géographique", "Champ géographique"),
                         "es": ("Ámbito geográfico", "Alcance geográfico")},
    "actors": {"en": ("Actors involved in implementing this Resolution",
                      "IUCN Constituencies implementing this Resolution",
                      "In implementing this Resolution your organization has worked/consulted with*",
                      "In implementing this Resolution your organisation has worked/consulted with*"),
               "fr": ("Acteurs impliqués dans la mise en œuvre de cette Résolution",
                      "Acteurs impliqués dans la mise en oeuvre de cette Résolution"),
               "es": ("Actores involucrados en la implementación de esta Resolución",)},
    "members": {"en": ("IUCN Members",), "fr": ("Membres de l'UICN",), "es": ("Miembros de la UICN",)},
    "commissions": {"en": ("IUCN Commissions",), "fr": ("Commissions de l'UICN",),
                    "es": ("Comisiones de la UICN",)},
    "secretariat": {"en": ("IUCN Secretariat",), "fr": ("Secrétariat de l'UICN",),
                    "es": ("Secretaría de la UICN",)},
    "other_organisations": {"en": ("Other non-IUCN related organisations", "Other non-IUCN related organizations"),
                            "fr": ("Autres organisations non liées à l'UICN",),
                            "es": ("Otras organizaciones no relacionadas con la UICN",)},
    "implementation": {"en": ("Implementation",), "fr": ("Mise en œuvre", "Mise en oeuvre"),
                       "es": ("Implementación",)},
    "activities": {"en": ("Activities carried out to implement this Resolution",
                          "Indicate which actions have been carried out to implement this Resolution",
                          "Indicate and briefly describe any actions that have been carried out to implement*"),
                   "fr": ("Activités menées pour mettre en œuvre cette Résolution",
                          "Activités menées pour mettre en oeuvre cette Résolution"),
                   "es": ("Actividades realizadas para implementar esta Resolución",)},
    "activities_table": {"en": ("ActionDescriptionStatus", "Action Description Status"),
                         "fr": ("ActionDescriptionStatut",), "es": ("AcciónDescripciónEstado",)},
    "activity": {"en": ("Activity",), "fr": ("Activité",), "es": ("Actividad",)},
    "description": {"en": ("Description and results/achievements of activities", "Description"),
                    "fr": ("Description et résultats/réalisations des activités",),
                    "es": ("Descripción y resultados/logros de las actividades", "Descripción")},
    "status": {"en": ("Status",), "fr": ("Statut", "État"), "es": ("Estado",)},
    "challenges": {"en": ("Describe any challenges encountered in implementing this Resolution*",
                          "What challenges/obstacles have been encountered*",
                          "What challenges have you encountered*"),
                   "fr": ("Décrivez les difficultés rencontrées*",),
                   "es": ("Describa los desafíos encontrados*", "Describa las dificultades encontradas*")},
    "results": {"en": ("Please report on the result /achievement of the actions taken",
                       "Please report on the result*",
                       "Describe the results/achievements of the*"),
                "fr": ("Veuillez rendre compte des résultats*",),
                "es": ("Informe sobre los resultados*",)},
    "future": {"en": ("Identify and briefly describe what future actions*",
                      "Briefly describe what future actions*"),
               "fr": ("Identifiez et décrivez brièvement les actions*",),
               "es": ("Identifique y describa brevemente las acciones*",)},
    "future_action": {"en": ("Future action / activity", "Future action"),
                      "fr": ("Action / activité future", "Action future"),
                      "es": ("Acción / actividad futura", "Acción futura")},
    "future_table": {"en": ("Future ActionDescription", "Future Action Description"),
                     "fr": ("Action futureDescription",), "es": ("Acción futuraDescripción",)},
    "actions_planned": {"en": ("Are these actions planned for yet",), "fr": ("Ces actions sont-elles déjà prévues",),
                        "es": ("¿Están ya previstas estas acciones",)},
    "implementation_status": {"en": ("Status of implementation", "Status of implementation for this Resolution"),
                              "fr": ("Statut de la mise en œuvre", "État de la mise en œuvre",
                                     "Statut de la mise en oeuvre"),
                              "es": ("Estado de la implementación", "Estado de implementación")},
    "report_status": {"en": ("Report status",), "fr": ("Statut du rapport",), "es": ("Estado del informe",)},
    "additional": {"en": ("Additional Information",), "fr": ("Informations complémentaires",),
                   "es": ("Información adicional",)},
}

# Labels that only one layout uses: each one seen is a vote for that layout.
DEFAULT_LAYOUT_MARKERS: Mapping[str, tuple[str, ...]] = {
    "activity-report": ("Submitted by", "Soumis par", "Enviado por", "Actors involved in implementing this Resolution",
                        "Acteurs impliqués dans la mise en œuvre de cette Résolution",
                        "Actores involucrados en la implementación de esta Resolución",
                        "Description and results/achievements of activities",
                        "Description et résultats/réalisations des activités",
                        "Descripción y resultados/logros de las actividades",
                        "Future action / activity", "Action / activité future", "Acción / actividad futura",
                        "Activity", "Activité", "Actividad", "Report status"),
    "progress-report": ("Describe the results/achievements of the activities", "IUCN Commissions"),
    "progress-report-legacy": ("Indicate which actions have been carried out to implement this Resolution",
                               "Are these actions planned for yet",
                               "What challenges/obstacles have been encountered in the implementation of this "
                               "Resolution and how were they overcome",
                               "Briefly describe what future actions are needed for the implementation of this "
                               "Resolution",
                               "Status of implementation for this Resolution",
                               "Describe the results/achievements of the actions taken"),
    "activity-report-legacy": ("ActionDescriptionStatus", "Future ActionDescription",
                               "Indicate and briefly describe any actions that have been carried out to implement "
                               "this Resolution"),
}

DEFAULT_ACTIVITY_TYPES: Mapping[str, tuple[str, ...]] = {
    "Capacity-building": ("Capacity-building", "Capacity building", "Renforcement des capacités",
                          "Développement des capacités", "Desarrollo de capacidades",
                          "Fortalecimiento de capacidades", "Creación de capacidades"),
    "Convene stakeholders/Networking": ("Convene stakeholders/Networking", "Convening stakeholders/Networking",
                                        "Réunir les parties prenantes/Réseautage",
                                        "Convocar a las partes interesadas/Trabajo en red"),
    "Education/Communication/Raising awareness": ("Education/Communication/Raising awareness",
                                                  "Éducation/Communication/Sensibilisation",
                                                  "Educación/Comunicación/Sensibilización"),
    "Field activities": ("Field activities", "Activités de terrain", "Actividades de campo"),
    "Fundraising": ("Fundraising", "Fund raising", "Collecte de fonds", "Recaudación de fondos"),
    "Policy influencing/advocacy": ("Policy influencing/advocacy", "Influence sur les politiques/plaidoyer",
                                    "Incidencia política/promoción", "Influencia en las políticas/incidencia"),
    "Scientific/technical activities": ("Scientific/technical activities", "Activités scientifiques/techniques",
                                        "Actividades científicas/técnicas"),
    "Other": ("Other", "Autre", "Autres", "Otro", "Otra", "Otros"),
}

DEFAULT_STATUSES: Mapping[str, tuple[str, ...]] = {
    "On-going": ("On-going", "Ongoing", "On going", "In progress", "En cours", "En curso", "En progreso"),
    "Completed": ("Completed", "Complete", "Terminé", "Achevé", "Completado", "Completada", "Finalizado",
                  "Terminado"),
}

# Value shapes used when the labels are missing altogether (layout 5, values only).
DEFAULT_REGIONS = ("Global", "Africa", "Meso and South America", "North America and the Caribbean",
                   "South and East Asia", "West Asia", "Oceania", "East Europe, North and Central Asia",
                   "West Europe", "European Union (EU)", "Polar regions", "Mediterranean")
DEFAULT_CONSTITUENT_TYPES = ("IUCN Member organisation", "IUCN Member organization", "IUCN Member",
                             "State Member", "Government Agency Member", "IUCN Commission", "IUCN Secretariat",
                             "IUCN National Committee", "IUCN Regional Committee")
DEFAULT_REPORT_STATUSES = ("Published", "Draft", "Submitted", "Publié", "Brouillon", "Publicado", "Borrador")


@dataclass(frozen=True)
class ReportVocabulary:
    """Everything the parser recognises, as data. Pass a modified copy to ``parse_report``."""

    labels: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=lambda: DEFAULT_LABELS)
    layout_markers: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_LAYOUT_MARKERS)
    activity_types: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_ACTIVITY_TYPES)
    statuses: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_STATUSES)
    yes: tuple[str, ...] = ("Yes", "Oui", "Sí", "Si")
    no: tuple[str, ...] = ("No", "Non")
    regions: tuple[str, ...] = DEFAULT_REGIONS
    constituent_types: tuple[str, ...] = DEFAULT_CONSTITUENT_TYPES
    report_statuses: tuple[str, ...] = DEFAULT_REPORT_STATUSES
    # Congress year -> offset such that portal page id = offset + resolution number.
    # Title words per report kind ("activity", "progress"), matched anywhere in the title line.
    title_kinds: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: {
        "activity": ("Activity Report", "Rapport d'activité", "Rapport d'activités", "Informe de actividades",
                     "Informe de actividad"),
        "progress": ("Progress Report", "Rapport d'avancement", "Rapport de progrès", "Informe de progreso",
                     "Informe de avance")})
    # Words that introduce the submission date under "Submitted by" ("on Fri, 09/30/2022 - 11:05").
    date_prefixes: tuple[str, ...] = ("on", "le", "el")
    # Labels whose value may follow on the same line after a plain space ("Submitted by X on <date>").
    spaced_labels: tuple[str, ...] = ("submitted_by",)
    page_id_offsets: Mapping[int, int] = field(default_factory=lambda: {2020: 49139})
    max_resolution_number: int = 160

    @cached_property
    def compiled(self) -> _Compiled:
        return _Compiled(self)


_ROMAN_PREFIX = re.compile(r"^\s*(?:[IVX]{1,4}|[0-9]{1,2})[.)]\s+")
_SECTION_NUMBER_STARTS = frozenset("IVX0123456789 \t")
_MAX_LABEL_CHARS = 260
_MAX_LABEL_LINES = 2048  # label and vocabulary value lines remembered by their text, per vocabulary
_PROSE_WORDS = 5  # a line of at least this many words under a type is its description, not another type
_MAX_WARNINGS = 50  # a garbled file could otherwise produce one warning per line


_NOT_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())
# bytes.translate table: ASCII upper-case letters to lower-case, what str.lower does to ASCII text
_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def label_key(text: str) -> str:
    """Folded form used to match labels and values: lower-case ASCII letters and digits only.

    Dropping every other character makes ``Période``, ``P�riode`` and ``PÃ©riode`` the same key, so
    labels survive mis-encoding; a leading section number (``II.``) is dropped too.
    """
    return _remembered_label_key(text) if len(text) <= _REMEMBERED_KEY_CHARS else _fold_label(text)


def _fold_label(text: str) -> str:
    """``label_key``, worked out."""
    if text[:1] in _SECTION_NUMBER_STARTS:
        m = _ROMAN_PREFIX.match(text)
        if m is not None:
            text = text[m.end():]
    # bytes.translate is several times faster than a regex substitution, and this runs on every line.
    if text.isascii():  # (a constant-time test) lower-cased by the same translate: one pass, not two
        return text.encode("ascii").translate(_ASCII_LOWER, _NOT_ALNUM).decode("ascii")
    # str.lower first: a few non-ASCII letters lower-case to ASCII ones (the Kelvin sign to "k")
    return text.lower().encode("ascii", "ignore").translate(None, _NOT_ALNUM).decode("ascii")


# The keys of short texts are remembered: the same labels, types, statuses and other values recur in
# every report, and the parser asks for the key of most lines two or three times. Longer texts are
# nearly all narrative, new in each report: remembering them would only evict the labels -- and, in an
# archive that repeats its reports' narratives, as a benchmark made of copies does, it would make the
# parser look faster than it is on real reports (the few long labels, the form's questions, are
# remembered as lines by classify_lines).
_REMEMBERED_KEY_CHARS = 64
_remembered_label_key = lru_cache(maxsize=4096)(_fold_label)


def _inline_separator(text: str) -> int:
    """Offset of the first ":" or tab that could end an inline label ("Label: value"), or -1.

    ``str.find`` calls, each after an ``in`` test (cheaper still: most lines have neither): several times
    faster than a regex search over a long prose line."""
    colon = text.find(":", 0, _MAX_LABEL_CHARS + 1) if ":" in text else -1
    tab = text.find("\t", 0, _MAX_LABEL_CHARS + 1) if "\t" in text else -1
    return colon if tab < 0 else tab if colon < 0 else min(colon, tab)


def _ascii_fold(ch: str) -> str:
    return unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?"


def _flex_pattern(variant: str) -> str:
    """Regex for a vocabulary entry as it appears inside running text, tolerant of spacing and
    of accented letters that were mis-encoded (one or two junk characters) or dropped to ASCII."""
    out = []
    for ch in variant:
        if ch == " ":
            out.append(r"\s*")
        elif ch in "/-":
            out.append(r"\s*[-/]?\s*")
        elif ch.isascii():
            out.append(re.escape(ch))
        else:
            out.append(f"(?:[^\\x00-\\x7f]{{1,2}}|{re.escape(_ascii_fold(ch))})")
    return "".join(out)


def _flex_first_chars(variants: list[str]) -> str | None:
    """A character class for every character a case-sensitive ``_flex_pattern`` match of one of
    ``variants`` can start with, or None when one of them could start with anything."""
    ascii_starts = set()
    for variant in variants:
        if not variant or variant[0] in " /-":  # these patterns may match nothing: any character may follow
            return None
        ch = variant[0]
        # a non-ASCII letter matches one or two non-ASCII characters (in the class below) or its ASCII fold
        ascii_starts.add(ch if ch.isascii() else _ascii_fold(ch)[0])
    return "[" + "".join(re.escape(ch) for ch in sorted(ascii_starts)) + "\\x80-\\U0010ffff]"


def _ascii_first_chars(variants: list[str]) -> frozenset[str] | None:
    """The ASCII characters a case-insensitive ``_flex_pattern`` match of one of ``variants`` can start
    with (a non-ASCII character may start one too), or None when one of them could start with anything.
    An ASCII character matches a pattern character only as itself or its other case: the case-insensitive
    partners outside ASCII ("ſ" for "s", the Kelvin sign for "k") are not ASCII, nor is ``[^\\x00-\\x7f]``."""
    starts = set()
    for variant in variants:
        if not variant or variant[0] in " /-":  # these patterns may match nothing: any character may follow
            return None
        ch = variant[0] if variant[0].isascii() else _ascii_fold(variant[0])[0]
        starts.update((ch.lower(), ch.upper()))
    return frozenset(starts)


def _case_free_screen(variants: list[str]) -> str:
    """A lookahead that passes only where a case-insensitive ``_flex_pattern`` match of one of ``variants``
    can start (any non-ASCII character, or an ASCII one that ``_ascii_first_chars`` names), or "" when
    there is nothing to screen by."""
    starts = _ascii_first_chars(variants) if variants else None
    if starts is None:
        return ""
    return "(?=[" + "".join(re.escape(ch) for ch in sorted(starts)) + "\\x80-\\U0010ffff])"


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(_flex_pattern(w).replace("'", "['’]") for w in sorted(words, key=len, reverse=True))


class _Compiled:
    """Lookup tables and patterns built once per vocabulary."""

    def __init__(self, vocab: ReportVocabulary) -> None:
        self.label_by_key: dict[str, tuple[str, str]] = {}
        prefixes: list[tuple[str, str, str]] = []
        for name, by_lang in vocab.labels.items():
            for lang, variants in by_lang.items():
                for variant in variants:
                    if variant.endswith("*"):
                        prefixes.append((label_key(variant[:-1]), name, lang))
                        continue
                    key = label_key(variant)
                    other = self.label_by_key.get(key)
                    if other is not None and other[0] != name:
                        raise ValueError(f"label {variant!r} is given for both {other[0]!r} and {name!r}")
                    self.label_by_key.setdefault(key, (name, lang))
        self.marker_by_key = {label_key(v): layout for layout, vs in vocab.layout_markers.items() for v in vs}
        # classify()'s answers for whole-line labels, made once: (field, language, no inline value, the
        # layout the label votes for)
        self.label_hit_by_key = {key: (name, lang, None, self.marker_by_key.get(key))
                                 for key, (name, lang) in self.label_by_key.items()}
        # classify()'s answers by the line's own text, for the lines written the same way in nearly every
        # report: labels (half of a report's lines) and the values the vocabulary names (types, statuses,
        # Yes/No..., None: not a label), filled as they are met (bounded: _MAX_LABEL_LINES). One look-up of
        # the text costs less than folding it into its key first.
        self.hit_by_line: dict[str, _Hit | None] = {}
        prefixes.sort(key=lambda p: -len(p[0]))
        self.prefix_labels = [(n, lang) for _, n, lang in prefixes]
        self.prefix_keys = [k for k, _, _ in prefixes]
        # Prefix labels indexed by their first few characters (as many as the shortest has): a dict look-up
        # and a startswith or two for each line that is not a label, instead of a regex alternation.
        self.prefix_probe = min((len(k) for k in self.prefix_keys), default=0)
        self.prefixes_by_probe: dict[str, list[int]] = {}
        for i, k in enumerate(self.prefix_keys):
            self.prefixes_by_probe.setdefault(k[:self.prefix_probe], []).append(i)
        self.all_label_keys = tuple(self.label_by_key) + tuple(k for k, _, _ in prefixes)
        # Labels that may be followed by their value after a plain space ("Submitted by X on ...").
        spaced = {name: "|".join(_flex_pattern(v) for vs in vocab.labels[name].values() for v in vs)
                  for name in vocab.spaced_labels if name in vocab.labels}
        self.spaced_label_re = re.compile(
            "(?:" + "|".join(f"(?P<{name}>{alts})" for name, alts in spaced.items()) + r")\s+(?=\S)",
            re.IGNORECASE) if spaced else None
        # The ASCII characters a spaced label can start with: the other lines need not try the pattern.
        self.spaced_label_starts = _ascii_first_chars(
            [v for name in vocab.spaced_labels if name in vocab.labels for vs in vocab.labels[name].values() for v in vs])
        self.type_by_key = {label_key(v): canon for canon, vs in vocab.activity_types.items() for v in vs}
        self.type_by_key.update({label_key(c): c for c in vocab.activity_types})
        self.status_by_key = {label_key(v): canon for canon, vs in vocab.statuses.items() for v in vs}
        self.status_by_key.update({label_key(c): c for c in vocab.statuses})
        types = sorted(((v, c) for c, vs in vocab.activity_types.items() for v in (c, *vs)), key=lambda p: -len(p[0]))
        self.type_names = [c for _, c in types]
        # A type glued to the text that follows it: the next character must not be a lower-case letter,
        # so "Otherwise ..." is not read as type "Other".
        # (screened by the characters a type can start with: most lines tried start with none of them)
        self.type_prefix_re = re.compile(
            _case_free_screen([v for v, _ in types]) + "(?:" + "|".join(f"(?P<t{i}>{_flex_pattern(v)})" for i, (v, _) in enumerate(types)) + ")(?-i:(?![a-z]))",
            re.IGNORECASE)
        statuses = sorted(((v, c) for c, vs in vocab.statuses.items() for v in (c, *vs)), key=lambda p: -len(p[0]))
        self.status_names = [c for _, c in statuses]
        # The lookahead lets the search pass over the positions where no status can start at the cost of
        # one character test, instead of trying every alternative there (~8x faster on a row's tail).
        first = _flex_first_chars([v for v, _ in statuses])
        self.status_suffix_re = re.compile(
            ("" if first is None else f"(?={first})")
            + "(?:" + "|".join(f"(?P<s{i}>{_flex_pattern(v)})" for i, (v, _) in enumerate(statuses)) + r")\s*$")
        self.yes_keys = frozenset(label_key(v) for v in vocab.yes)
        self.no_keys = frozenset(label_key(v) for v in vocab.no)
        self.region_keys = frozenset(label_key(v) for v in vocab.regions)
        self.constituent_type_keys = frozenset(label_key(v) for v in vocab.constituent_types)
        self.report_status_keys = frozenset(label_key(v) for v in vocab.report_statuses)
        # the values the vocabulary names, as keys (classify_lines remembers such lines by their text)
        self.value_keys = frozenset(self.type_by_key).union(
            self.status_by_key, self.yes_keys, self.no_keys, self.region_keys, self.constituent_type_keys,
            self.report_status_keys)
        title_re = "|".join(
            rf"(?P<{kind}>\b(?:{_alternatives(words)}))" for kind, words in vocab.title_kinds.items())
        # A title is searched for in every line before the first label: the lookahead passes over the
        # positions where no title word can start with one character test instead of trying every word.
        self.title_re = re.compile(
            _case_free_screen([w for words in vocab.title_kinds.values() for w in words]) + f"(?:{title_re})",
            re.IGNORECASE)
        prefixes = "|".join(re.escape(w) for w in vocab.date_prefixes)
        self.submitted_on_re = re.compile(rf"^(?:{prefixes})\b", re.IGNORECASE)
        self.inline_submitted_on_re = re.compile(rf"\s+(?:{prefixes})\s+(?=\w{{2,4}}\.?,?\s+\d)", re.IGNORECASE)
        self.page_id_offsets = dict(vocab.page_id_offsets)
        self.max_resolution_number = vocab.max_resolution_number

    def label(self, key: str) -> tuple[str, str] | None:
        hit = self.label_by_key.get(key)
        if hit is None and key:
            hit = self.prefix_label(key)
        return hit

    def prefix_label(self, key: str) -> tuple[str, str] | None:
        """The label of the longest prefix (a variant ending in "*") that ``key`` starts with, or None."""
        for i in self.prefixes_by_probe.get(key[:self.prefix_probe], ()):
            if key.startswith(self.prefix_keys[i]):
                return self.prefix_labels[i]
        return None

    def type_prefix(self, text: str, pos: int = 0) -> tuple[str, int] | None:
        m = self.type_prefix_re.match(text, pos)
        return (self.type_names[int(m.lastgroup[1:])], m.end()) if m else None

    def status_suffix(self, text: str, pos: int = 0) -> tuple[str, int, int] | None:
        # Only the tail can hold a status; searching the whole of a long row would be quadratic-ish.
        m = self.status_suffix_re.search(text, max(pos, len(text) - 48))
        if m is None:
            return None
        return self.status_names[int(m.lastgroup[1:])], m.start(), m.start() + len(m.group().rstrip())


DEFAULT_VOCABULARY = ReportVocabulary()

# ---------------------------------------------------------------- value patterns
_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
_PAGE_ID_RE = re.compile(r"^\d{3,7}$")
_MEMBER_RE = re.compile(r"^(?P<name>.+?)\s*\(\s*(?P<inner>[^()]*?)\s*\)\s*(?:/\s*(?P<country>.+?))?$")
_GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\}?$")
_PERIOD_RE = re.compile(r"^(?:(?:\d{1,2}[/.])?(?:\d{1,2}[/.])?\d{4}|[A-Z][a-z]+\.?\s+\d{4})\s*(?:-|–|to|au|a|al)\s*"
                        r"(?:(?:\d{1,2}[/.])?(?:\d{1,2}[/.])?\d{4}|[A-Z][a-z]+\.?\s+\d{4})$")
_ITEM_SPLIT_RE = re.compile(r"\s*[;,]\s*")
_MOJIBAKE_RE = re.compile("\ufffd|[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u2013-\u203a\u20ac\u2122]|â€")
_LANGUAGE_NAMES = {"fr": "French", "es": "Spanish", "en": "English"}


def _has_mojibake(text: str) -> bool:
    """``_MOJIBAKE_RE.search(text)``, first screened by the characters every match starts with: ``in``
    scans a whole report a hundred times faster than the regex, and most reports have none of them."""
    return ("\ufffd" in text or "Ã" in text or "Â" in text or "â" in text) and _MOJIBAKE_RE.search(text) is not None


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was read as cp1252/Latin-1 (``EnergÃ­a`` -> ``Energía``); otherwise unchanged."""
    if not _has_mojibake(text) or "\ufffd" in text:
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


# A non-blank line of the report: (1-based line number, start, end, stripped text), the offsets those of
# the stripped text. A plain tuple read by position: _split_lines makes one for every line of every
# report, and a NamedTuple's constructor and field reads cost several times more (~5% of parsing).
_Line = tuple[int, int, int, str]
_NO, _START, _END, _TEXT = range(4)
# What the parser makes of a label line: (field, language, offset of an inline value or None, the layout
# the label votes for or None).
_Hit = tuple[str, str, int | None, str | None]
_UNKNOWN: Any = object()  # a look-up's default that no answer is


# Line breaks that str.splitlines honours besides "\n".
_OTHER_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _split_lines(text: str) -> list[_Line]:
    """The non-blank lines, stripped, with their 1-based numbers and offsets."""
    lines = []
    pos = 0
    # the ``in`` tests spelt out (a generator over the characters cost as much as the scans); the last
    # three breaks are not ASCII, and str.isascii() is a flag test
    if not ("\r" in text or "\x0b" in text or "\x0c" in text or "\x1c" in text or "\x1d" in text
            or "\x1e" in text or not text.isascii() and ("\x85" in text or "\u2028" in text or "\u2029" in text)):
        # Only "\n" breaks (nearly every text): split without keeping the ends, so that strip() of a
        # line without surrounding spaces returns the line itself instead of a copy.
        append = lines.append
        for no, raw in enumerate(text.split("\n"), 1):
            end = pos + len(raw)
            stripped = raw.strip()
            if stripped is raw:  # most lines: nothing to strip ("" is a blank line)
                if raw:
                    append((no, pos, end, raw))
            elif stripped:
                start = pos + len(raw) - len(raw.lstrip())
                append((no, start, start + len(stripped), stripped))
            pos = end + 1
        return lines
    for no, raw in enumerate(text.splitlines(True), 1):
        stripped = raw.strip()
        if stripped:
            start = pos + len(raw) - len(raw.lstrip())
            lines.append((no, start, start + len(stripped), stripped))
        pos += len(raw)
    return lines


def _check_text(text: Any, source: str | None) -> str:
    if isinstance(text, (bytes, bytearray)):
        return decode_bytes(bytes(text), source or "<bytes>")[0]
    if not isinstance(text, str):
        raise InputError(f"expected report text (str), got {type(text).__name__}", source)
    if not text or text.isspace():  # not text.strip(), which would copy the whole text
        raise InputError("text is empty", source)
    evidence = binary_evidence(text)
    if evidence:
        raise InputError(f"text contains {evidence}: binary data, not a report", source)
    return text


# ---------------------------------------------------------------- the parser
class _Block:
    """An activity or future-action block being collected (current layout: label per part)."""

    __slots__ = ("section", "start", "end", "type_lines", "desc_lines", "status_lines", "lines", "desc_labelled")

    def __init__(self, section: str, start: int, end: int) -> None:
        self.section = section
        self.start = start
        self.end = end
        self.type_lines: list[_Line] = []
        self.desc_lines: list[_Line] = []
        self.status_lines: list[_Line] = []
        # the part that value lines go to: the type's until a description or status label opens its own
        self.lines = self.type_lines
        self.desc_labelled = False   # a description label was seen


class _Row:
    """A row of a type list or a flattened legacy table."""

    __slots__ = ("start", "end", "type", "type_span", "desc_start", "desc_end", "status", "status_span")

    def __init__(self, start: int) -> None:
        self.start = start
        self.end = start
        self.type: str | None = None
        self.type_span: tuple[int, int] | None = None
        self.desc_start: int | None = None
        self.desc_end: int | None = None
        self.status: str | None = None
        self.status_span: tuple[int, int] | None = None


_CLAIM_OFFSETS = ("start", "end", "sentence_start", "sentence_end")
_BLOCK_LABELS = frozenset({"description", "status"})
_CONSTITUENT_TARGETS = frozenset({"constituent", "constituent_type", "constituent_type_again"})
_NO_INLINE_LABELS = frozenset({"activity", "future_action", "general", "implementation"})
_SECTION_NAMES = frozenset({"results", "challenges", "future", "additional"})
_EXPECTED = {
    "activity-report": ("page_id", "activities", "report_status"),
    "progress-report": ("page_id", "activities", "implementation_status"),
    "activity-report-legacy": ("constituent", "activities", "results"),
    "progress-report-legacy": ("activities", "results", "implementation_status"),
}
_READABLE = {"page_id": "resolution page id", "activities": "activities", "report_status": "report status",
             "implementation_status": "status of implementation", "constituent": "IUCN constituent",
             "results": "results"}


class _Parser:
    def __init__(self, text: str, source: str | None, vocab: ReportVocabulary, nlp, want_claims: bool) -> None:
        self.text = text
        self.source = source
        self.c = vocab.compiled
        self.nlp = nlp
        self.want_claims = want_claims
        self.raw_references: dict[str, list] = {}  # text -> find_references(text), unshifted
        self.warnings: list[str] = []
        self.warned: set[str] = set()
        self.warnings_dropped = 0
        self.f: dict[str, Any] = {"geographic_scope": [], "members": [], "other_organisations": [],
                                  "commissions": [], "activities": [], "future_actions": []}
        self.lang_votes: dict[str, int] = {}
        self.layout_votes: dict[str, int] = {}
        self.labels_seen = 0
        self.inline_values = 0
        self.flattened_rows = 0
        self.type_only_rows = 0
        self.title_kind: str | None = None
        self.ends_in: str | None = None   # a label the text ended right after, for the warning
        self.cut_label = False            # the text stops part-way through a label

    # ------------------------------------------------------------ helpers
    def field_of(self, start: int, end: int) -> Field:
        return _new_field(self.text[start:end], start, end)

    def field_line(self, ln: _Line) -> Field:
        """``field_of`` one line's span: the line's text is those very characters, so no slice is made."""
        return _new_field(ln[_TEXT], ln[_START], ln[_END])

    def field_lines(self, lines: list[_Line]) -> Field | None:
        if not lines:
            return None
        if len(lines) == 1:
            return self.field_line(lines[0])
        return self.field_of(lines[0][_START], lines[-1][_END])

    def warn(self, message: str) -> None:
        if message in self.warned:
            return
        self.warned.add(message)
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(message)
        else:
            self.warnings_dropped += 1

    def classify(self, line: _Line) -> _Hit | None:
        """(field, language, offset of an inline value or None, layout voted for or None) when the line is
        a label."""
        c = self.c
        text = line[_TEXT]
        key = label_key(text) if len(text) <= _MAX_LABEL_CHARS else None
        if key is not None:
            hit = c.label_hit_by_key.get(key)
            if hit is not None:
                return hit
        m = c.spaced_label_re.match(text) if c.spaced_label_re is not None else None
        if m is not None:
            return self.spaced_label(m)
        hit = self.inline_label(text)
        if hit is not None:
            return hit
        if key:
            hit = c.prefix_label(key)
            if hit is not None:
                return self.label_hit(hit[0], hit[1], None, text)
        return None

    def label_hit(self, name: str, lang: str, inline_at: int | None, text: str) -> _Hit:
        """classify()'s answer for a label line ``text``, with the layout its label votes for: the label is
        the line, or what comes before a ":" when the value is on the same line."""
        return name, lang, inline_at, self.c.marker_by_key.get(label_key(text if inline_at is None
                                                                         else text.split(":", 1)[0]))

    def spaced_label(self, m: re.Match) -> _Hit:
        """classify() of a label followed by its value after a space ("Submitted by X on ..."), from the
        spaced label pattern's match."""
        lang = self.c.label_by_key.get(label_key(m.group(m.lastgroup)), ("", "en"))[1]
        return self.label_hit(m.lastgroup, lang, m.end(), m.string)

    def inline_label(self, text: str) -> _Hit | None:
        """classify() of "Label: value" and "Label<TAB>value" lines, or None."""
        colon = _inline_separator(text)
        if 0 < colon:
            hit = self.c.label(label_key(text[:colon]))
            if hit is not None and hit[0] not in _NO_INLINE_LABELS:
                rest = text[colon + 1:]
                value_at = colon + 1 + len(rest) - len(rest.lstrip())
                return self.label_hit(hit[0], hit[1], (value_at if value_at < len(text) else None), text)
        return None

    def classify_lines(self, lines: list[_Line]) -> list[_Hit | None]:
        """``[self.classify(ln) for ln in lines]`` (the fast-path tests compare them), with cheap screens
        in front of classify's steps: most lines are whole labels (one look-up of the line's text, or of
        its key when the text is new) or prose that starts with no spaced label, holds no ":" or tab and
        starts with no prefix label. (classify() depends on the text alone, so its answer for a line that
        is a label and nothing else, or a value the vocabulary names, can be remembered by the text.)"""
        c = self.c
        hit_by_key, hit_by_line, value_keys = c.label_hit_by_key, c.hit_by_line, c.value_keys
        unknown = _UNKNOWN
        spaced_re, spaced_starts = c.spaced_label_re, c.spaced_label_starts
        prefix_probe, prefixes_by_probe = c.prefix_probe, c.prefixes_by_probe
        hits = []
        for ln in lines:
            text = ln[_TEXT]
            hit = hit_by_line.get(text, unknown)
            if hit is not unknown:
                hits.append(hit)
                continue
            key = label_key(text) if len(text) <= _MAX_LABEL_CHARS else None
            if key is not None:
                hit = hit_by_key.get(key)
                if hit is not None:
                    if len(hit_by_line) < _MAX_LABEL_LINES:
                        hit_by_line[text] = hit
                    hits.append(hit)
                    continue
            first = text[0]
            if spaced_re is not None and (spaced_starts is None or first in spaced_starts or not first.isascii()):
                m = spaced_re.match(text)
                if m is not None:
                    hits.append(self.spaced_label(m))
                    continue
            if ":" in text or "\t" in text:  # _inline_separator finds neither otherwise
                hit = self.inline_label(text)
                if hit is not None:
                    hits.append(hit)
                    continue
            if key and key[:prefix_probe] in prefixes_by_probe:
                hit = c.prefix_label(key)
                if hit is not None:
                    hit = self.label_hit(hit[0], hit[1], None, text)
                    if len(hit_by_line) < _MAX_LABEL_LINES:  # the long question labels recur too
                        hit_by_line[text] = hit
                    hits.append(hit)
                    continue
            if key in value_keys and len(hit_by_line) < _MAX_LABEL_LINES:
                hit_by_line[text] = None  # a type, status, Yes... that is no label: the same in every report
            hits.append(None)
        return hits

    # ------------------------------------------------------------ main pass
    def run(self) -> Report:
        text = self.text
        lines = _split_lines(text)
        if _has_mojibake(text):
            self.note_mojibake(lines)
        hits = self.classify_lines(lines)
        self.cut_label = bool(lines) and self.is_cut_label((lines[-1], hits[-1]))
        if self.cut_label:
            self.warn(f"text ends inside a label: {lines[-1][_TEXT]!r}")
            hits.pop()
            lines = lines[:-1]
        n_labels = len(hits) - hits.count(None)
        first_label = next((i for i, hit in enumerate(hits) if hit is not None), len(hits))
        self.find_title(lines[:first_label] if first_label else lines[:1])
        if n_labels < 3 and self.looks_unlabelled(lines):
            self.run_unlabelled(lines)
        else:
            self.run_labelled(lines, hits, first_label)
        return self.build()

    def find_title(self, head: list[_Line]) -> None:
        for _no, start, end, text in head[:30]:  # saved portal pages put navigation text before the title
            if len(text) > 160:
                continue
            kind = self.c.title_re.search(text)
            codes = [m.code for m in find_resolution_mentions(text) if m.code and m.kind != "motion"]
            if kind or codes:
                self.f["title"] = self.field_of(start, end)
                if codes:
                    self.f["title_code"] = codes[0]
                if kind:
                    self.title_kind = kind.lastgroup
                return

    def note_mojibake(self, lines: list[_Line]) -> None:
        shown = []
        for no, _start, _end, text in lines:
            m = _MOJIBAKE_RE.search(text)
            if m:
                word = re.search(r"\S*\Z", text[:m.start()]).group() + re.match(r"\S*", text[m.start():]).group()
                shown.append(f"line {no} {word!r}")
        kinds = []
        if "\ufffd" in self.text:
            kinds.append("replacement characters (\ufffd)")
        if any(m.group() != "\ufffd" for m in _MOJIBAKE_RE.finditer(self.text)):
            kinds.append("UTF-8 text decoded as Latin-1/cp1252")
        kind = " and ".join(kinds)
        more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
        self.warn(f"mis-encoded characters, {kind}: {', '.join(shown[:3])}{more}")

    def run_labelled(self, lines: list[_Line], hits: list[_Hit | None], first_label: int) -> None:
        """The labelled layouts: ``hits[i]`` is ``classify(lines[i])``; the lines before ``first_label``
        hold no label."""
        title = self.f.get("title")
        ignored = [ln for ln in lines[:first_label] if title is None or ln[_START] != title.start]
        if ignored:
            more = f" (and {len(ignored) - 1} more lines)" if len(ignored) > 1 else ""
            self.warn(f"line {ignored[0][_NO]}: text before the first label ignored: {ignored[0][_TEXT][:60]!r}{more}")
        target: str | None = None
        buf: list[_Line] = []
        block: _Block | None = None
        # the parser's tables and tallies as locals: the loop below runs for every line of every report
        f, lang_votes, layout_votes = self.f, self.lang_votes, self.layout_votes
        constituent_type_keys = self.c.constituent_type_keys
        labels_seen = 0
        # English labels counted apart (nearly every label is English: an int add, not a dict update) and
        # added to the votes after the loop; the vote in build() does not depend on the order of the votes
        english_labels = 0
        # zip() hands the loop the same pair tuple each turn: no list of pairs is built
        for ln, hit in islice(zip(lines, hits, strict=True), first_label, None):
            if hit is not None:
                name, lang, inline_at, layout = hit
                # (inside a block only the constituent type test can apply: the others ask for no block)
                if block is None and name == "description":
                    hit = None  # "Description" outside an activity is ordinary text
                elif block is None and name == "status":
                    name = "implementation_status"
                elif name == "constituent_type" and "constituent_type" in f and target != "constituent_type":
                    name = "constituent_type_again"
                elif (block is None and target in _CONSTITUENT_TARGETS and not buf and inline_at is None
                      and label_key(ln[_TEXT]) in constituent_type_keys):
                    hit = None  # "IUCN Secretariat" is a label, but also a constituent type
            if hit is None:
                if block is not None:
                    block.end = ln[_END]
                    block.lines.append(ln)
                else:
                    buf.append(ln)
                continue
            no, start, end, text = ln
            labels_seen += 1
            if lang == "en":
                english_labels += 1
            else:
                lang_votes[lang] = lang_votes.get(lang, 0) + 1
            if layout:
                layout_votes[layout] = layout_votes.get(layout, 0) + 1
            if inline_at is not None:
                self.inline_values += 1
            if block is not None and name in _BLOCK_LABELS:
                if name == "description":
                    block.lines = block.desc_lines
                    block.desc_labelled = True
                else:
                    block.lines = block.status_lines
                block.end = end
                if inline_at is not None:
                    block.lines.append((no, start + inline_at, end, text[inline_at:]))
                continue
            # Any other label ends the current block and the current field.
            if block is not None:
                self.finish_block(block, at_end=False)
                block = None
            if buf:  # flush() of no lines does nothing before the end of the text
                self.flush(target, buf)
            if name in ("activity", "future_action"):
                block = _Block("activities" if name == "activity" else "future_actions", start, end)
                target = None
                buf = []
                continue
            target = name
            buf = [(no, start + inline_at, end, text[inline_at:])] if inline_at is not None else []
        self.labels_seen += labels_seen
        if english_labels:
            lang_votes["en"] = lang_votes.get("en", 0) + english_labels
        # End of text: what was the parser inside of?
        if block is not None:
            self.finish_block(block, at_end=True)
        self.flush(target, buf, at_end=True)

    def is_cut_label(self, last: tuple[_Line, Any]) -> bool:
        """The text stops part-way through a label (``Descri``): that last line is not a value."""
        ln, hit = last
        if hit is not None or ln[_END] != len(self.text.rstrip(" \t")):
            return False
        key = label_key(ln[_TEXT])
        c = self.c
        if len(key) < 3 or key in c.type_by_key or key in c.status_by_key or key in c.constituent_type_keys \
                or key in c.report_status_keys or key in c.yes_keys or key in c.no_keys:
            return False
        return any(k.startswith(key) and k != key for k in c.all_label_keys)

    # ------------------------------------------------------------ fields
    def flush(self, target: str | None, lines: list[_Line], at_end: bool = False) -> None:
        if target is None:
            for ln in lines:
                self.warn(f"line {ln[_NO]}: text outside any field ignored: {ln[_TEXT][:60]!r}")
            return
        f = self.f
        if not lines:
            if at_end and target not in ("additional", "implementation", "general", "actors", "constituent_type_again"):
                self.ends_in = target
            return
        if target == "submitted_by":
            first = lines[0]
            m = self.c.inline_submitted_on_re.search(first[_TEXT])
            if m:
                f.setdefault("submitted_by", self.field_of(first[_START], first[_START] + m.start()))
            else:
                f.setdefault("submitted_by", self.field_line(first))
            for ln in lines:
                if ln is first and not m:
                    continue  # the submitter's own line holds the date only after "on": no search for one
                d = _DATE_RE.search(ln[_TEXT])
                if d:
                    f.setdefault("submitted_on", self.iso_date(d, ln))
        elif target == "resolution":
            self.resolution_value(lines)
        elif target in ("constituent", "constituent_type", "period", "implementation_status", "actions_planned"):
            if target not in f:
                f[target] = self.field_lines(lines)
        elif target == "report_status":
            f.setdefault("report_status", self.field_line(lines[0]))
        elif target == "geographic_scope":
            f["geographic_scope"].extend(map(self.field_line, lines))
        elif target == "commissions":
            f["commissions"].extend(map(self.field_line, lines))
        elif target == "other_organisations":
            for ln in lines:
                f["other_organisations"].extend(self.split_items(ln))
        elif target == "members":
            for ln in lines:
                self.members(ln)
        elif target == "secretariat":
            key = label_key(lines[0][_TEXT])
            if key in self.c.yes_keys:
                f.setdefault("secretariat", True)
            elif key in self.c.no_keys:
                f.setdefault("secretariat", False)
            else:
                self.warn(f"line {lines[0][_NO]}: IUCN Secretariat should be Yes or No, not {lines[0][_TEXT]!r}")
        elif target in ("activities", "activities_table"):
            self.rows(lines, "activities", at_end)
        elif target == "future_table":
            self.rows(lines, "future_actions", at_end)
        elif target == "future":
            if self.starts_row(lines[0]) and not f["future_actions"]:
                self.rows(lines, "future_actions", at_end)
            else:
                self.section("future", lines)
        elif target in _SECTION_NAMES:
            self.section(target, lines)
        elif target == "constituent_type_again":
            pass  # the summary at the end of the form repeats the constituent type in short form
        else:  # headings: general, actors, implementation
            for ln in lines:
                self.warn(f"line {ln[_NO]}: unexpected text under a heading: {ln[_TEXT][:60]!r}")

    def iso_date(self, m: re.Match, ln: _Line) -> str | None:
        g = m.groups()
        if g[0]:
            month, day, year = int(g[0]), int(g[1]), int(g[2])
            if month > 12 >= day:
                month, day = day, month
                self.warn(f"line {ln[_NO]}: date {m.group()!r} read as day/month/year")
        elif g[3]:
            year, month, day = int(g[3]), int(g[4]), int(g[5])
        else:
            day, month, year = int(g[6]), int(g[7]), int(g[8])
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            self.warn(f"line {ln[_NO]}: {m.group()!r} is not a valid date")
            return None

    def resolution_value(self, lines: list[_Line]) -> None:
        value = lines[0][_TEXT]
        if _PAGE_ID_RE.match(value):
            self.f.setdefault("page_id", int(value))
            return
        mentions = [m for m in find_resolution_mentions(value) if m.kind != "motion"]
        for mention in mentions:
            if mention.code:
                self.f.setdefault("value_code", mention.code)
                return
        if mentions:
            self.warn(f"line {lines[0][_NO]}: {mentions[0].text!r} does not say which Congress adopted it")
        else:
            self.warn(f"line {lines[0][_NO]}: resolution {value!r} is neither a page id nor a resolution code")

    def split_items(self, ln: _Line) -> list[Field]:
        """The items of a list line: the pieces between the matches of ``_ITEM_SPLIT_RE`` (a ";" or ","
        and the spaces around it), found by str methods: the regex tried a match at every character of
        the line, several times the cost of the fields made. A match starts where the spaces before a
        separator do (not before the end of the last one) and takes every space after it."""
        _no, start, _end, text = ln
        out = []
        pos = 0
        separators = text.replace(";", ",") if ";" in text else text  # one character to find
        sep = separators.find(",")
        while sep >= 0:
            end = pos + len(text[pos:sep].rstrip())  # str.isspace is \s
            if end > pos:
                out.append(self.field_of(start + pos, start + end))
            pos = sep + 1
            while pos < len(text) and text[pos].isspace():
                pos += 1
            sep = separators.find(",", pos)
        if len(text) > pos:
            out.append(self.field_of(start + pos, start + len(text)))
        return out

    def members(self, ln: _Line) -> None:
        parts = [ln] if ";" not in ln[_TEXT] else [
            (ln[_NO], f.start, f.end, f.text) for f in self.split_items(ln)]
        for _no, start, end, text in parts:
            m = _MEMBER_RE.match(text)
            if m is None:
                if _GUID_RE.match(text):
                    self.f["member_ids"] = self.f.get("member_ids", 0) + 1
                name, acronym, country = text, None, None
            else:
                name, inner, country = m.groups()  # the groups "name", "inner", "country"
                if country:
                    acronym = inner or None
                else:
                    acronym, country = None, inner or None
            self.f["members"].append(_new_member(fix_mojibake(name), acronym,
                                                 fix_mojibake(country) if country else None, start, end))

    def section(self, name: str, lines: list[_Line]) -> None:
        if name in self.f:
            self.warn(f"line {lines[0][_NO]}: a second {name} section was ignored")
            return
        start, end = lines[0][_START], lines[-1][_END]
        body = self.text[start:end]
        self.f[name] = _new_section(name, body, start, end, self.references(body, start),
                                    self.claims(body, start, context="future" if name == "future" else None)
                                    if self.want_claims else ())

    # ------------------------------------------------------------ references and claims, shifted
    def references(self, body: str, offset: int) -> tuple[Reference, ...]:
        # Made at their place in the report's text; the claims of the same body want them at their place in
        # the body (find_references(body)), made in the same pass when claims are wanted.
        raw: list[Reference] | None = [] if self.want_claims else None
        refs = _references_at(body, offset, DEFAULT_PATTERNS, raw)
        if raw is not None:
            self.raw_references[body] = raw
        if not refs:
            return ()
        for cut in refs:
            if not cut.complete:
                break
        else:
            cut = None
        if cut is not None:
            cut_at = cut.start - offset  # in the body
            line = self.text.count("\n", 0, cut.start) + 1
            bracket = body.rfind("[", 0, cut_at + 1)
            shown = body[bracket if bracket >= 0 else cut_at:].split("\n", 1)[0]
            self.warn(f"line {line}: tag list cut off: {shown[:60]!r}")
        return tuple(refs)

    def claims(self, body: str, offset: int, context: str | None = None) -> tuple[Claim, ...]:
        """``context="future"`` for future actions and the future section: their figures are plans
        unless said in the past (the claims extractor knows tense; the parser knows the section)."""
        if not self.want_claims or not body:
            return ()
        return tuple(shifted(c, offset, _CLAIM_OFFSETS)
                     for c in find_claims(body, nlp=self.nlp, references=self.raw_references.get(body),
                                          context=context))

    # ------------------------------------------------------------ activities
    def activity(self, section: str, start: int, end: int, type_field: Field | None, desc: Field | None,
                 status_field: Field | None, type_name: str | None = None,
                 status_name: str | None = None) -> Activity:
        items = self.f[section]
        index = len(items)
        if type_field is not None and type_name is None:
            type_name = self.c.type_by_key.get(label_key(type_field.text))
            if type_name is None:
                what = "activity" if section == "activities" else "future action"
                self.warn(f"{what} {index + 1}: unknown type {type_field.text[:60]!r}")
        if status_field is not None and status_name is None:
            status_name = self.c.status_by_key.get(label_key(status_field.text))
            if status_name is None:
                what = "activity" if section == "activities" else "future action"
                self.warn(f"{what} {index + 1}: unknown status {status_field.text[:60]!r}")
        refs: tuple[Reference, ...] = ()
        claims: tuple[Claim, ...] = ()
        if desc is not None and desc.text:
            refs = self.references(desc.text, desc.start)
            if self.want_claims:
                claims = self.claims(desc.text, desc.start,
                                     context="future" if section == "future_actions" else None)
        act = _new_activity(section, index, type_name, type_field, desc, status_name, status_field, refs, claims,
                            start, end)
        items.append(act)
        return act

    def finish_block(self, block: _Block, at_end: bool) -> None:
        # the block's number in the warnings ("activity 3") is worked out only for a warning (most blocks have none)
        what = "activity" if block.section == "activities" else "future action"
        type_lines, desc_lines = block.type_lines, block.desc_lines
        if len(type_lines) > 1:
            number = len(self.f[block.section]) + 1
            if not block.desc_labelled and not desc_lines:
                # The description label is missing: the lines after the type are the description.
                desc_lines = type_lines[1:]
                self.warn(f"{what} {number}: no description label; the text after the type is taken as description")
            else:
                for ln in type_lines[1:]:
                    self.warn(f"line {ln[_NO]}: unexpected text after the type of {what} {number}: {ln[_TEXT][:60]!r}")
            type_lines = type_lines[:1]
        if len(block.status_lines) > 1:
            number = len(self.f[block.section]) + 1
            for ln in block.status_lines[1:]:
                self.warn(f"line {ln[_NO]}: unexpected text after the status of {what} {number}: {ln[_TEXT][:60]!r}")
        status_lines = block.status_lines
        act = self.activity(block.section, block.start, block.end,
                            self.field_line(type_lines[0]) if type_lines else None, self.field_lines(desc_lines),
                            self.field_line(status_lines[0]) if status_lines else None)
        missing = []  # in the order type, description, status (future actions have no status)
        if not type_lines:
            missing.append("no type")
        if not desc_lines:
            missing.append("no description")
        if not status_lines and block.section == "activities":
            missing.append("no status")
        if at_end and act.status_field is not None and act.status is None and block.status_lines[-1][_END] == block.end:
            missing.append(f"status cut off: {act.status_field.text!r}")
        elif at_end and act.type_field is not None and act.type is None and type_lines[-1][_END] == block.end:
            missing.append(f"type cut off: {act.type_field.text!r}")
        if missing:
            number = act.index + 1
            where = f"text ends inside {what} {number}" if at_end else f"{what} {number}"
            self.warn(f"{where} ({', '.join(missing)})")

    def starts_row(self, ln: _Line) -> bool:
        text = ln[_TEXT]
        if text and label_key(text) in self.c.type_by_key:
            return True
        hit = self.c.type_prefix(text)
        return hit is not None and hit[1] < len(text) and not text[hit[1]].isspace()

    def rows(self, lines: list[_Line], section: str, at_end: bool) -> None:
        """Type lists (progress reports) and flattened table rows (older activity reports)."""
        what = "activity" if section == "activities" else "future action"
        want_status = section == "activities"
        rows: list[_Row] = []
        row: _Row | None = None
        for _no, start, end, text in lines:
            whole = self.c.type_by_key.get(label_key(text))
            prefix = None if whole else self.c.type_prefix(text)
            new_row = whole is not None
            if prefix is not None and prefix[1] >= len(text):
                whole, prefix, new_row = prefix[0], None, True
            if prefix is not None:
                rest = text[prefix[1]:]
                glued = not rest[0].isspace()
                # Future rows have no status to close them: there a capital after one space starts a row.
                capital = not want_status and rest.lstrip()[:1].isupper()
                new_row = (glued or capital or rest.startswith(("\t", "  ")) or row is None
                           or row.status is not None or row.desc_start is None)
            elif whole is None and row is not None and row.desc_start is None and row.status is None and (
                    (want_status and label_key(text) in self.c.status_by_key) or len(text.split()) >= _PROSE_WORDS):
                new_row = False  # type, description and status on lines of their own (block labels missing)
                self.warn(f"{what} labels missing: type, description and status read from the lines in turn")
            elif whole is None and (row is None or row.desc_start is None):
                new_row = True  # an unknown entry in a list of types
            elif whole is None and want_status and row is not None and row.status is not None:
                # The previous row is complete, yet this one starts with no known type.
                row = _Row(start)
                rows.append(row)
            if new_row:
                row = _Row(start)
                rows.append(row)
                if whole is not None:
                    row.type, row.type_span = whole, (start, end)
                    row.end = end
                    continue
                if prefix is not None:
                    row.type, row.type_span = prefix[0], (start, start + prefix[1])
                    body_at = prefix[1] + len(text[prefix[1]:]) - len(text[prefix[1]:].lstrip())
                else:
                    row.type_span = (start, end)
                    row.end = end
                    continue
            else:
                body_at = 0
            assert row is not None
            body_end = len(text)
            if want_status:
                status = self.c.status_suffix(text, body_at)
                if status is not None:
                    row.status, row.status_span = status[0], (start + status[1], start + status[2])
                    body_end = status[1]
                    body_end = len(text[:body_end].rstrip())
            if body_end > body_at:
                if row.desc_start is None:
                    row.desc_start = start + body_at
                row.desc_end = start + body_end
            row.end = end
        for i, r in enumerate(rows):
            if r.desc_start is not None:
                self.flattened_rows += 1
            else:
                self.type_only_rows += 1
            desc = self.field_of(r.desc_start, r.desc_end) if r.desc_start is not None else None
            # A row with a type span but no type is an unknown entry: activity() looks it up and warns.
            self.activity(section, r.start, r.end, self.field_of(*r.type_span) if r.type_span else None, desc,
                          self.field_of(*r.status_span) if r.status_span else None,
                          type_name=r.type, status_name=r.status)
            if r.type_span is None:
                self.warn(f"{what} {len(self.f[section])}: the row does not start with a known activity type")
            if want_status and desc is not None and r.status is None:
                last = at_end and i == len(rows) - 1
                where = f"text ends inside {what} {len(self.f[section])}" if last else f"{what} {len(self.f[section])}"
                self.warn(f"{where} (no status)")

    # ------------------------------------------------------------ labels missing altogether
    def looks_unlabelled(self, lines: list[_Line]) -> bool:
        c = self.c
        types = statuses = dates = 0
        for _no, _start, _end, text in lines[:400]:
            key = label_key(text)
            if key in c.type_by_key:
                types += 1
            elif key in c.status_by_key:
                statuses += 1
            elif c.submitted_on_re.match(text) and _DATE_RE.search(text):
                dates += 1
        return types >= 2 and (statuses >= 1 or dates >= 1)

    def run_unlabelled(self, lines: list[_Line]) -> None:
        """Values without labels: assign each line by its shape and its position in the usual form."""
        self.warn("field labels are missing: values were assigned by their shape and position")
        c, f = self.c, self.f
        title = f.get("title")
        pending: list[_Line] = []       # unassigned lines waiting for context
        block: _Block | None = None
        free: list[_Line] = []          # free text after the activities
        phase = "head"                  # head -> actors -> activities -> tail

        def close(status_line: _Line | None) -> None:
            nonlocal block
            if block is None:
                return
            if status_line is not None:
                block.status_lines.append(status_line)
                block.end = status_line[_END]
            block.section = "activities" if status_line is not None else "future_actions"
            if block.section == "future_actions" and free:
                self.unlabelled_free_text(free)
                free.clear()
            self.finish_block(block, at_end=False)
            block = None

        for ln in lines:
            _no, start, end, text = ln
            if title is not None and start == title.start:
                continue
            key = label_key(text)
            if key in c.type_by_key and len(text) < 80:
                if block is not None:
                    close(None)
                if phase == "actors" and pending:
                    for p in pending:
                        f["other_organisations"].extend(self.split_items(p))
                    pending.clear()
                phase = "activities"
                block = _Block("activities", start, end)
                block.type_lines.append(ln)
                block.lines = block.desc_lines
                block.desc_labelled = True
                continue
            if block is not None:
                if key in c.status_by_key:
                    close(ln)
                    continue
                if not block.desc_lines or key not in c.report_status_keys | c.constituent_type_keys:
                    block.desc_lines.append(ln)
                    block.end = end
                    continue
                close(None)
            if phase in ("head", "actors"):
                if c.submitted_on_re.match(text) and _DATE_RE.search(text):
                    f.setdefault("submitted_on", self.iso_date(_DATE_RE.search(text), ln))
                    if pending and "submitted_by" not in f:
                        f["submitted_by"] = self.field_of(pending[-1][_START], pending[-1][_END])
                        pending.pop()
                elif _PAGE_ID_RE.match(text) and "page_id" not in f:
                    f["page_id"] = int(text)
                elif key in c.constituent_type_keys and "constituent_type" not in f:
                    f["constituent_type"] = self.field_of(start, end)
                    if pending:
                        f.setdefault("constituent", self.field_of(pending[-1][_START], pending[-1][_END]))
                        pending.pop()
                elif _PERIOD_RE.match(text) and "period" not in f:
                    f["period"] = self.field_of(start, end)
                elif key in c.region_keys:
                    f["geographic_scope"].append(self.field_of(start, end))
                elif _MEMBER_RE.match(text) or _GUID_RE.match(text):
                    phase = "actors"
                    self.members(ln)
                elif key in c.yes_keys or key in c.no_keys:
                    phase = "actors"
                    f.setdefault("secretariat", key in c.yes_keys)
                else:
                    pending.append(ln)
                continue
            if key in c.report_status_keys:
                f.setdefault("report_status", self.field_of(start, end))
            elif key in c.constituent_type_keys:
                pass  # the short constituent type repeated at the end of the form
            else:
                free.append(ln)
        if block is not None:
            close(None)
        if free:
            self.unlabelled_free_text(free)
        for ln in pending:
            self.warn(f"line {ln[_NO]}: could not tell which field this is: {ln[_TEXT][:60]!r}")

    def unlabelled_free_text(self, lines: list[_Line]) -> None:
        """Free text between the activities and the future actions: challenges, then results."""
        if "challenges" in self.f or "results" in self.f:
            self.section("additional", lines)
            return
        if len(lines) == 1:
            self.section("results", lines)
        else:
            self.section("challenges", lines[:1])
            self.section("results", lines[1:])
        self.warn("challenges and results told apart by position only (first paragraph taken as challenges)")

    # ------------------------------------------------------------ the Report
    def decide_layout(self) -> str:
        f = self.f
        votes = self.layout_votes
        legacy = (votes.get("activity-report-legacy", 0) + votes.get("progress-report-legacy", 0)
                  + (1 if self.inline_values >= 3 else 0) + (2 if self.flattened_rows else 0))
        current = (votes.get("activity-report", 0) + votes.get("progress-report", 0)
                   + (1 if "page_id" in f else 0) + (1 if "submitted_on" in f else 0))
        kind = self.title_kind
        if kind is None:
            # (the plain tests first: most reports with activity blocks have future actions too)
            if self.flattened_rows or f["future_actions"] or any(a.description is not None for a in f["activities"]):
                kind = "activity"
            elif self.type_only_rows:
                kind = "progress"
            else:
                act = votes.get("activity-report", 0) + votes.get("activity-report-legacy", 0)
                prog = votes.get("progress-report", 0) + votes.get("progress-report-legacy", 0)
                kind = "activity" if act >= prog else "progress"
        layout = f"{kind}-report"
        return f"{layout}-legacy" if legacy > current else layout

    def build(self) -> Report:
        f = self.f
        labelled = self.labels_seen >= 3 or (self.labels_seen >= 1 and "title" in f)
        found = labelled or bool(f["activities"]) or "page_id" in f
        if not found and "title" not in f:
            layout = "unknown"
            self.warn("no report labels or title found: this does not look like an implementation report")
        else:
            layout = self.decide_layout()
        code = self.resolution_code()
        if f.get("member_ids"):
            self.warn(f"{f['member_ids']} IUCN member(s) listed by internal id only")
        language = "en"
        if self.lang_votes:
            if len(self.lang_votes) == 1:   # labels in one language, as nearly always: no vote to count
                language, = self.lang_votes
            else:
                language = max(self.lang_votes, key=lambda k: (self.lang_votes[k], k == "en"))
            if language != "en":
                self.warn(f"labels are in {_LANGUAGE_NAMES.get(language, language)} (a variant of {layout})")
        if layout != "unknown":
            missing = [_READABLE[k] for k in _EXPECTED[layout]
                       if not (f.get(k) if k in ("activities",) else k in f)]
            if missing:
                self.warn(f"missing {', '.join(missing)} (text may be truncated)")
        if self.ends_in and not self.cut_label:
            self.warn(f"text ends right after the {self.ends_in.replace('_', ' ')} label, with no value")
        warnings = tuple(self.warnings) + ((f"and {self.warnings_dropped} more warnings",)
                                           if self.warnings_dropped else ())
        return _new_report(
            source=self.source, text=self.text, layout=layout, title=f.get("title"), resolution_code=code,
            page_id=f.get("page_id"), submitted_by=f.get("submitted_by"), submitted_on=f.get("submitted_on"),
            constituent=f.get("constituent"), constituent_type=f.get("constituent_type"), period=f.get("period"),
            geographic_scope=tuple(f["geographic_scope"]), members=tuple(f["members"]),
            secretariat=f.get("secretariat"), other_organisations=tuple(f["other_organisations"]),
            activities=tuple(f["activities"]), future_actions=tuple(f["future_actions"]),
            results=f.get("results"), challenges=f.get("challenges"), future=f.get("future"),
            implementation_status=f.get("implementation_status"), report_status=f.get("report_status"),
            warnings=warnings, commissions=tuple(f["commissions"]), additional=f.get("additional"),
            actions_planned=f.get("actions_planned"), language=language,
        )

    def resolution_code(self) -> str | None:
        f = self.f
        from_page = None
        page_id = f.get("page_id")
        if page_id is not None:
            for year, offset in self.c.page_id_offsets.items():
                if 0 < page_id - offset <= self.c.max_resolution_number:
                    from_page = f"WCC-{year}-Res-{page_id - offset:03d}"
            if from_page is None:
                self.warn(f"page id {page_id} does not map to a known Congress resolution")
        written = f.get("title_code") or f.get("value_code")
        if written and from_page and written != from_page:
            self.warn(f"title says {written} but page id {page_id} is {from_page}")
        return written or from_page


def parse_report(text: str, source: str | None = None, *, nlp=None, claims: bool = True,
                 vocabulary: ReportVocabulary = DEFAULT_VOCABULARY) -> Report:
    """Parse one report's text (any of the five layouts) into a Report whose offsets point into ``text``.

    Raises ``InputError`` (naming ``source``) for empty or binary input; text that is not a report gives
    a Report with layout ``unknown`` and a warning. ``nlp`` is passed to ``find_claims``; ``claims=False``
    skips claim extraction.
    """
    source = None if source is None else str(source)  # a Path is welcome; records hold its string
    text = _check_text(text, source)
    return _Parser(text, source, vocabulary, nlp, claims).run()
