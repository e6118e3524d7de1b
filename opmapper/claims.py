"""Quantitative claims: "over 11 million posts ... removed" -> value, bound, unit, counted, verb.

Knows nothing of reports. Rules on top of ``spacy.blank("en")``.
CONTRACT (owned by the claims work; other modules rely on these names and fields).

How it works, in small steps:

1. a cheap scan for digits and number words skips texts without any;
2. ``spacy.blank("en")`` tokenises (plus a sentencizer, cut again at line breaks);
3. a scanner finds number cores (digits or number words) in the text and grows each to the left
   (bound words, currency) and to the right (scale words, ranges, units, "or more");
4. traps are dropped: years, dates, times, paragraph and resolution numbers, ordinals, list markers,
   ids glued to letters, compound adjectives, bare numbers alone on a line (form ids);
5. the counted noun phrase, its head and the verb come from the tokens around the figure, using
   function-word boundaries and a small verb lexicon (no POS tagger is available);
6. the modality (achieved / planned) comes from marker words in the clause.

Every word list is data on :class:`ClaimLexicon`; pass your own to :func:`find_claims`.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import regex

from ._records import Record


@dataclass(frozen=True)
class Claim(Record):
    value: float
    value_max: float | None      # upper end of a range, else None
    bound: str                   # "=", "~", ">", ">=", "<", "<="
    unit: str | None             # None for counts; "%", "fraction", "EUR", "USD", "CHF", "GBP", "ha", "km2", "km", "m", "t", "kg"
    counted: str | None          # noun phrase of what is counted: "technology companies"
    counted_head: str | None     # its head noun as written, lower-cased: "companies"
    verb: str | None             # "blocked or removed", "trained"
    modality: str                # "achieved" | "planned"
    kind: str                    # "count" | "money" | "percentage" | "area" | "length" | "mass" | "other"
    start: int
    end: int
    text: str                    # the figure's own text: "over 11 million posts"
    sentence_start: int
    sentence_end: int

    def to_dict(self) -> dict[str, Any]:
        # every field is a plain number, string or None: no conversion to do, and a frozen dataclass's
        # __dict__ holds exactly its fields, in order (hot in batch runs: every claim of every report)
        return self.__dict__.copy()


def _new_claim(value, value_max, bound, unit, counted, counted_head, verb, modality, kind, start, end, text,
               sentence_start, sentence_end) -> Claim:
    """``Claim(...)``, made without the frozen dataclass's ``__init__`` (which sets each of the 14 fields
    through ``object.__setattr__``): the same record, its ``__dict__`` written at once, fields in order."""
    claim = object.__new__(Claim)
    object.__setattr__(claim, "__dict__", {
        "value": value, "value_max": value_max, "bound": bound, "unit": unit, "counted": counted,
        "counted_head": counted_head, "verb": verb, "modality": modality, "kind": kind, "start": start,
        "end": end, "text": text, "sentence_start": sentence_start, "sentence_end": sentence_end})
    return claim


# ----------------------------------------------------------------------------------------- lexicon
def _table(mapping: dict) -> Any:
    """A dict field whose default is a fresh copy of ``mapping`` for every lexicon."""
    return field(default_factory=lambda: dict(mapping))


@dataclass(frozen=True, eq=False)
class ClaimLexicon:
    """Every word list the claim rules use. Copy and change one with ``dataclasses.replace``.

    ``eq=False`` keeps hashing by identity, so compiled rules are cached per lexicon object.
    """

    # bound words before the number -> bound
    bounds: dict[str, str] = _table({
        "about": "~", "around": "~", "roughly": "~", "some": "~", "nearly": "~", "almost": "~",
        "approximately": "~", "approx.": "~", "an estimated": "~", "approx": "~", "circa": "~", "ca.": "~", "c.": "~",
"close to": "~", "around about": "~", "more or less": "~",
        "over": ">", "more than": ">", "in excess of": ">", "above": ">", "upwards of": ">",
        "greater than": ">", "exceeding": ">", "well over": ">", "just over": ">", "beyond": ">",
        "at least": ">=", "a minimum of": ">=", "no fewer than": ">=", "no less than": ">=",
        "not less than": ">=", "not fewer than": ">=", "minimum of": ">=",
        "under": "<", "fewer than": "<", "within": "<=", "less than": "<", "below": "<", "just under": "<",
        "up to": "<=", "at most": "<=", "a maximum of": "<=", "no more than": "<=", "not more than": "<=",
        "as many as": "<=", "maximum of": "<=", "as much as": "<=",
    })
    # bound words after the figure -> bound
    bound_suffixes: dict[str, str] = _table({
        "or more": ">=", "and more": ">=", "and above": ">=", "or above": ">=", "plus": ">=",
        "or less": "<=", "or fewer": "<=", "and below": "<=", "at most": "<=", "at least": ">=",
        "+": ">=",
    })
    # filler between a bound and the number: "over a total of 500", "an estimated total of"
    fillers: tuple[str, ...] = ("a total of", "total of", "a further", "an additional", "another", "the")
    # currency forms (before or after the number) -> ISO code
    currencies: dict[str, str] = _table({
        "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "€uro": "EUR",
        "us$": "USD", "us $": "USD", "usd": "USD", "$": "USD", "us dollars": "USD", "dollars": "USD",
        "u.s. dollars": "USD", "dollar": "USD", "usd$": "USD",
        "chf": "CHF", "swiss francs": "CHF", "sfr": "CHF", "francs": "CHF", "fr.": "CHF",
        "£": "GBP", "gbp": "GBP", "pounds sterling": "GBP", "sterling": "GBP", "british pounds": "GBP",
        "aud": "AUD", "a$": "AUD", "cad": "CAD", "c$": "CAD", "nzd": "NZD", "jpy": "JPY", "¥": "JPY",
        "yen": "JPY", "inr": "INR", "rupees": "INR", "kes": "KES", "zar": "ZAR", "rand": "ZAR",
        "brl": "BRL", "cny": "CNY", "yuan": "CNY", "sek": "SEK", "nok": "NOK", "dkk": "DKK",
        "xof": "XOF", "cfa francs": "XOF", "idr": "IDR", "php": "PHP", "mxn": "MXN", "cop": "COP",
    })
    # measure units after the number -> (unit, kind)
    units: dict[str, tuple[str, str]] = _table({
        "%": ("%", "percentage"), "percent": ("%", "percentage"), "per cent": ("%", "percentage"),
        "per-cent": ("%", "percentage"), "pct": ("%", "percentage"), "percentage points": ("%", "percentage"),
        "percentage point": ("%", "percentage"),
        "ha": ("ha", "area"), "hectares": ("ha", "area"), "hectare": ("ha", "area"), "has": ("ha", "area"),
        "km2": ("km2", "area"), "km²": ("km2", "area"), "sq km": ("km2", "area"), "sq. km": ("km2", "area"),
        "sqkm": ("km2", "area"), "square kilometres": ("km2", "area"), "square kilometers": ("km2", "area"),
        "square km": ("km2", "area"), "km^2": ("km2", "area"),
        "m2": ("m2", "area"), "m²": ("m2", "area"), "square metres": ("m2", "area"),
        "square meters": ("m2", "area"), "acres": ("acre", "area"), "acre": ("acre", "area"),
        "km": ("km", "length"), "kilometres": ("km", "length"), "kilometers": ("km", "length"),
        "kilometre": ("km", "length"), "kilometer": ("km", "length"), "kms": ("km", "length"),
        "m": ("m", "length"), "metres": ("m", "length"), "meters": ("m", "length"), "metre": ("m", "length"),
        "meter": ("m", "length"), "miles": ("mi", "length"), "mile": ("mi", "length"),
        "t": ("t", "mass"), "tonnes": ("t", "mass"), "tons": ("t", "mass"), "tonne": ("t", "mass"),
        "ton": ("t", "mass"), "metric tons": ("t", "mass"), "metric tonnes": ("t", "mass"),
        "kg": ("kg", "mass"), "kilograms": ("kg", "mass"), "kilogrammes": ("kg", "mass"),
        "kilos": ("kg", "mass"), "kgs": ("kg", "mass"), "kilogram": ("kg", "mass"),
    })
    # scale words after the number -> multiplier
    scales: dict[str, float] = _table({
        "thousand": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9, "trillion": 1e12,
        "mn": 1e6, "mln": 1e6, "mio": 1e6, "mio.": 1e6, "bn": 1e9, "bln": 1e9, "k": 1e3,
        "lakh": 1e5, "crore": 1e7,
    })
    # single letters glued to a number: "11k", "1.75m", "2.1B" ("m" needs money or a counted noun)
    glued_scales: dict[str, float] = _table({"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "b": 1e9, "B": 1e9,
                                           "bn": 1e9, "mn": 1e6, "Bn": 1e9, "BN": 1e9})
    number_units: dict[str, int] = _table({
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    })
    number_tens: dict[str, int] = _table({
        "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90,
    })
    # multiplier words inside a spelled-out number
    number_multipliers: dict[str, int] = _table({"hundred": 100, "thousand": 1000, "million": 10**6,
                                               "billion": 10**9, "dozen": 12})
    # fraction denominators -> divisor
    fractions: dict[str, int] = _table({
        "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5,
        "fifths": 5, "sixth": 6, "sixths": 6, "tenth": 10, "tenths": 10, "eighth": 8, "eighths": 8,
    })
    # a number right after one of these is a reference, not a claim: "Target 12", "section 4.2"
    reference_words: tuple[str, ...] = (
        "paragraph", "paragraphs", "para", "paras", "op", "pp", "§", "section", "sections", "article",
        "articles", "art", "art.", "chapter", "chapters", "annex", "annexes", "appendix", "page", "pages",
        "p.", "pp.", "figure", "fig", "fig.", "table", "target", "targets", "goal", "goals", "sdg", "sdgs",
        "principle", "resolution", "resolutions", "res", "res.", "recommendation", "recommendations",
        "decision", "decisions", "motion", "motions", "item", "items", "no", "no.", "nos", "nos.", "number",
        "#", "version", "ver", "ver.", "v", "v.", "phase", "step", "level", "category", "criterion",
        "criteria", "objective", "objectives", "output", "outputs", "outcome", "outcomes", "indicator",
        "indicators", "activity", "component", "pillar", "priority", "stage", "tier", "round", "cop",
        "mop", "sbstta", "cms", "cites", "ramsar", "iso", "law", "act", "regulation", "directive",
        "rule", "rules", "session", "sessions", "meeting", "congress", "wcc", "cbd", "unfccc", "box",
        "line", "lines", "note", "notes", "footnote", "part", "volume", "vol", "vol.", "issue", "edition",
        "room", "floor", "route", "road", "highway", "tel", "tel.", "phone", "fax", "ext", "ext.",
        "grant", "contract", "project", "id", "ref", "ref.", "code", "zone", "plot", "block", "site",
        "region", "district", "group", "class", "module", "lesson", "week", "day", "year", "years",
        "q1", "q2", "q3", "q4", "fy", "aichi", "ecosystem", "report", "document", "doc", "doc.",
        "decree", "order", "bill", "clause", "clauses", "schedule", "cycle", "wave", "batch", "cohort",
        "km", "kilometre", "sites", "zones", "plots", "blocks", "areas", "transects", "transect", "camp",
        "station", "stations", "lot", "lots", "parcel", "parcels", "factor", "grade", "size", "score",
        "rank", "ranked", "number", "scale",
    )
    # "one" is a pronoun before or after these words: "one of the", "no one", "each one"
    one_pronoun_next: frozenset[str] = frozenset(("of", "another", "or", "way", "hand", "side", "such", "day", "time",
                                                  "thing", "the", ""))
    one_pronoun_prev: frozenset[str] = frozenset(("no", "any", "every", "each", "the", "this", "that", "which"))
    # words after "1.75m" that make it metres, not millions: "a 200m buffer", "500m high"
    length_context: frozenset[str] = frozenset("""
        high long wide deep tall depth altitude elevation above below buffer radius asl a.s.l in
    """.split())
    # words skipped when looking for the verb before a figure: "trained a total of over 500"
    before_verb_skip: frozenset[str] = frozenset("""
        a an the total now already also some over more than about around nearly almost approximately at least
        up to successfully additional further another roughly just well so far in excess minimum
        maximum fewer less under
    """.split())
    # auxiliaries and adverbs between a counted phrase and its verb: "posts have now been removed"
    auxiliaries: frozenset[str] = frozenset("""
        have has had been were was are is be being now already also successfully so far recently since all
        then effectively each will shall can could would may might must should to not still yet
    """.split())
    modals: frozenset[str] = frozenset("will shall can could would may might must should to".split())
    # participles that make the figure planned: "500 rangers are scheduled"
    planned_participles: frozenset[str] = frozenset("planned scheduled expected proposed envisaged foreseen".split())
    # verbs of change: after one, "from 212 to 74" is two figures, not a range
    change_verbs: frozenset[str] = frozenset("""
        rose risen rise rises fell fallen falls fall grew grown grow grows dropped drop drops increased increase
        increases decreased decrease decreases declined decline declines went jumped climbed reduced reduce cut
        expanded shrank shrunk improved changed moved doubled halved up down rising falling growing increasing
        decreasing declining improving
    """.split())
    # words before a year: "in 2019 rangers were trained" is a year, not 2019 rangers
    year_prepositions: frozenset[str] = frozenset("""
        in since by from during until till of to for between and before after early late mid circa as fy
        around about the this that
    """.split())
    # words whose full stop does not end a sentence
    abbreviations: frozenset[str] = frozenset("""
        e.g i.e approx ca c no nos dr mr mrs ms prof st vs etc fig figs p pp art res inc ltd co corp
        jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.u al ref vol ed eds est op para
    """.split())
    months: tuple[str, ...] = (
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec",
    )
    # words that end a counted noun phrase
    function_words: frozenset[str] = frozenset("""
        a an the this that these those its it their our his her my your of in on at by for from to with
        without within into onto over under about around across along through throughout during before after
        since until till than as and or but nor so yet while whereas because although though if when where
        which who whom whose what how why whether per via including include includes included such both
        either each every all any some many much more most less few fewer other another same own not no
        is are was were be been being am have has had having do does did will would shall should can could
        may might must also already now still just only even then there here thus too very well again
        further furthermore moreover however across against among amongst between beyond toward towards
        upon out up down off ever i we you he she they them us him me respectively approximately
        overall etc e.g. i.e. vs versus each besides plus namely across, despite due like unlike
        alone ago later earlier today last next per during back away yesterday tomorrow yearly annually daily monthly weekly
    """.split())
    # nouns ending in -ing that may head or continue a counted phrase ("5 training sessions")
    ing_nouns: frozenset[str] = frozenset("""
        trapping netting fencing bedding piping lighting roofing signage
        training trainings meeting meetings building buildings planning monitoring funding housing fishing
        clothing offspring seedling seedlings sapling saplings spring springs dwelling dwellings crossing
        crossings sighting sightings listing listings posting postings warning warnings hearing hearings
        screening screenings gathering gatherings briefing briefings opening openings recording recordings
        ring rings string king kings wing wings landing landings booking bookings offering offerings
        undertaking undertakings seizing ceiling morning mornings evening evenings recycling learning
        teaching cooking camping marketing farming logging mining poaching trafficking hunting ranching
        beekeeping housing lodging setting settings drawing drawings painting paintings rating ratings
        finding findings reading readings filing filings ruling rulings sitting sittings outing outings
        things thing nothing something anything everything
    """.split())
    # function words that may open a counted phrase: "15 more ports", "3 other sites"
    count_premodifiers: frozenset[str] = frozenset("more other additional further extra new".split())
    # nouns that are plural without a final -s, and -s words that are premodifiers rather than heads
    plural_nouns: frozenset[str] = frozenset("""
        people staff women men children police personnel cattle livestock sheep deer media data youth
        fish poultry offspring
    """.split())
    plural_premodifiers: frozenset[str] = frozenset("""
        savings rights sports arms goods fisheries customs species series news sales parks wetlands
        nations forestry physics economics mathematics
    """.split())
    # irregular past tenses that end a noun phrase ("half of the budget went")
    past_tense: frozenset[str] = frozenset("""
        went came took grew fell rose gave saw became ran began left got made said told thought felt
        kept brought bought sought caught taught held met sent spent lost won led fed read wrote
        drove rode flew threw stood sat lay hid broke chose spoke woke wore tore swore stole froze
        live lives remain remains reappear reappears survive survives oversee oversees prepare prepares
    """.split())
    # nouns counting time: a bare "18 months" or "every two weeks" is a duration, not a claim
    time_units: frozenset[str] = frozenset("""
        second seconds minute minutes hour hours day days night nights week weeks month months year years
        decade decades century centuries generation generations season seasons
    """.split())
    # verbs after which "over" is a particle, not a bound: "handed over 140 sets", "extends over 30 km²"
    over_particle_verbs: frozenset[str] = frozenset("""
        hand hands handed handing turn turns turned turning take takes took taken taking extend extends
        extended extending spread spreads spreading stretch stretches stretched stretching span spans
        spanned spanning carry carries carried carrying pass passes passed passing sign signs signed
        won win wins
    """.split())
    # verbs whose forms mark the reported action ("includes", "reach", "train"); "-ed" words count too
    verbs: frozenset[str] = frozenset("""
        include reach train plant restore protect engage involve adopt mobilise mobilize raise secure build
        rehabilitate establish create hire employ recruit support benefit fund award grant donate provide
        distribute deliver publish produce remove block flag seize confiscate arrest rescue release
        register record count survey monitor map assess identify detect collect gather attend join
        participate sign ratify adopt designate declare cover conserve manage equip reach target
        inform educate sensitise sensitize sensitize reach host organise organize hold convene run
        launch conduct carry complete expand grow increase reduce decrease cut mobilise invest spend
        allocate receive sell buy purchase install erect clean patrol reforest replant sow release
        reintroduce translocate tag ring vaccinate treat sterilise sterilize return repatriate recover
        sequester store capture avoid prevent stop ban close open certify accredit enrol enroll
        graduate qualify welcome visit see reach affect impact save lose kill poach destroy clear
        degrade burn log export import trade ship transport contain exceed number total comprise amount
        bring teach take make give find keep set hold win sell buy catch spend lead draw write send
        build grow feed meet reach host hit top surpass engage generate attract mobilize cover span
    """.split())
    irregular_participles: frozenset[str] = frozenset("""
        built taught held run set kept found given won sold bought caught spent led drawn written sent
        grown fed met made taken brought hit shown seen done begun undertaken overseen withdrawn
        known chosen stolen frozen driven ridden thrown flown borne sworn torn worn shot cut put dealt
        paid laid spread sought thought told
    """.split())
    # words ending in -ed that are not verbs
    not_participles: frozenset[str] = frozenset("""
        hundred red bed need needs seed seeds feed speed breed shed weed weeds sled steed greed creed
        reed reeds indeed embed bred led fed shred wed deed deeds proceed exceed succeed united
        limited related based interested seabed riverbed seedbed reedbed lakebed streambed flowerbed
        watershed homestead hatred kindred
    """.split())
    # markers of a planned figure (regex fragments, matched case-insensitively)
    planned_markers: tuple[str, ...] = (
        r"will", r"shall", r"\w+'ll", r"aims?\s+(?:to|at)", r"aiming\s+(?:to|at)", r"plans?\s+to",
        r"planning\s+to", r"intends?\s+to", r"intending\s+to", r"(?:is|are)\s+to\s+be",
        r"to\s+be\s+\w+ed", r"targets?\s+(?:of|to|is|for|in)", r"targeting", r"goal\s+(?:of|is)",
        # "planned hydropower", "indicators proposed by IUCN": participles plan only after "is"/"are" or before "to"
        r"(?:is|are|was|were|be|been|being|as|currently|also)\s+(?:planned|proposed|envisaged|foreseen|scheduled)",
        r"(?:planned|proposed|envisaged|foreseen|scheduled)\s+(?:to|for)", r"expected\s+to", r"expects?", r"expecting", r"foresees?",
        r"envisages?", r"seeks?\s+to", r"hopes?\s+to", r"going\s+to", r"would", r"next\s+year",
        r"upcoming", r"forthcoming", r"in\s+the\s+coming", r"wants?\s+to", r"commit(?:s|ted)?\s+to",
        r"pledged?\s+to", r"objective\s+(?:of|is)", r"ambition", r"by\s+(?:the\s+end\s+of\s+)?(?:19|20)\d\d",
    )
    # markers of an achieved figure
    achieved_markers: tuple[str, ...] = (
        r"ha(?:s|ve|d)\s+(?:now\s+|already\s+|so\s+far\s+|successfully\s+)?(?:been\s+)?\w+(?:ed|en|t)",
        r"(?:was|were)\s+\w+", r"to\s+date", r"so\s+far", r"already", r"since", r"in\s+(?:19|20)\d\d",
        r"last\s+year", r"now\s+(?:includes?|counts?|has|have|covers?|numbers?)",
    )
    # achieved markers that still hold in a plan section (find_claims(context="future")): tense, not dates
    # ("in 2025" there is a deadline, not a record)
    future_achieved_markers: tuple[str, ...] = (
        r"ha(?:s|ve|d)\s+(?:now\s+|already\s+|so\s+far\s+|successfully\s+)?(?:been\s+)?\w+(?:ed|en|t)",
        r"(?:was|were)\s+\w+", r"to\s+date", r"so\s+far", r"already", r"last\s+year",
    )
    # bare verbs that open a plan when they start a sentence: "Seek EUR 1.2 million ...", "Train 300 judges"
    plan_openers: frozenset[str] = frozenset("""
        seek apply train extend continue develop strengthen promote support expand establish build hold organise
        organize conduct launch publish create raise secure mobilise mobilize reach restore plant deliver
        provide host run engage ensure finalise finalize complete carry scale replicate roll pursue explore
        prepare submit draft update install equip recruit hire implement collaborate partner advocate lobby
        convene design produce distribute rehabilitate protect designate adopt review revise identify assess
        set start begin introduce increase reduce double triple upgrade open
    """.split())
    # a word after a sentence-initial verb that makes it a noun instead: "Support from 3 donors ...",
    # "Review of 12 laws was ..." ("with", "in", "on" follow verbs too: "Engage with 12 ministries")
    opener_noun_next: frozenset[str] = frozenset("""
        of from for to and or is are was were has have had will would can could should may might 's ’s
    """.split())
    # simple past forms that are not participles ending in -ed ("IFAW took", "we ran")
    simple_past: frozenset[str] = frozenset("""
        went came took grew fell rose gave saw became ran began got made said told kept brought bought sought
        caught taught held met sent spent lost won led fed wrote drew drove built set found paid laid did
    """.split())
    # bounds that place a length rather than count it: "villages above 2,000 m", "at depths below 200 m"
    position_bounds: frozenset[str] = frozenset(("above", "below", "higher than", "lower than", "deeper than",
                                                 "shallower than"))
    elevation_words: frozenset[str] = frozenset("""
        altitude altitudes elevation elevations depth depths asl a.s.l a.s.l. amsl
    """.split()) | frozenset(("sea level",))


DEFAULT_LEXICON = ClaimLexicon()


# ----------------------------------------------------------------------------------------- rules
# compiled once per distinct pattern string; module-level regex.match(...) would re-check its cache slowly
_re = functools.lru_cache(maxsize=None)(regex.compile)


def _alt(words) -> str:
    """Regex alternation, longest first, words escaped, inner spaces matching any whitespace."""
    parts = sorted({w for w in words}, key=len, reverse=True)
    return "|".join(regex.escape(p).replace(r"\ ", r"\s+") for p in parts)


def _trie_alt(words) -> str:
    """Plain re alternation of ``words`` (non-empty, any order) as a trie: "t(?:en|hree|w(?:elve|o))"."""
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        groups.setdefault(word[0], []).append(word[1:])
    parts = [re.escape(first) + _trie_rest(rests) for first, rests in groups.items()]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _trie_rest(rests: list[str]) -> str:
    """The trie of what follows a common first letter: optional when a word ends at that letter."""
    tails = [rest for rest in rests if rest]
    if not tails:
        return ""
    alt = _trie_alt(tails)
    return alt if len(tails) == len(rests) else "(?:" + alt + ")?"


_ASCII_WORD = re.compile("[A-Za-z]+")
# a bytes.translate table keeping the word characters of lower-cased ASCII text ([a-z0-9_]), every other byte a space
_WORD_BYTES_ONLY = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789_" else 32 for c in range(256))
# regex's \d+ in plain ASCII text, written to open with one character class: plain re then skips every other
# character in its search loop ("[0-9]+" opens with a repeat, which plain re enters at every position)
_ASCII_DIGITS = re.compile("[0-9][0-9]*")


def _leading_letters(form: str) -> str:
    """The run of ASCII letters that opens ``form`` (leading whitespace aside), lower-cased."""
    m = _ASCII_WORD.match(form.lstrip())
    return m.group().lower() if m else ""


def _ascii_flag(pattern: str) -> int:
    """``re.ASCII`` for a pattern none of whose characters has a case variant outside ASCII ("ſ", "K"), else 0.

    Such a pattern reads plain ASCII text (:func:`_plain_ascii`) alike with the flag or without (\\w, \\b,
    \\d and \\s take in the same ASCII characters either way), and faster with it: no Unicode lookups.
    """
    return re.ASCII if all(ch.isascii() or ch.lower() == ch.upper() for ch in pattern) else 0


def _plain_twin(compiled: Any) -> Any:
    """A regex pattern compiled by plain re, for plain ASCII text (:func:`_plain_ascii`), where both read
    it alike; the regex pattern itself if plain re cannot read it or folds its case differently."""
    if "ı" in compiled.pattern or "İ" in compiled.pattern:  # the one case fold the two disagree on in ASCII
        return compiled
    try:
        return re.compile(compiled.pattern, _ascii_flag(compiled.pattern))
    except re.error:  # regex-only syntax: variable-width lookbehind, reverse search, \p{..}
        return compiled


def _pair(pattern: str) -> tuple[Any, Any]:
    """``pattern`` compiled by regex and its plain twin, indexed by :func:`_plain_ascii`."""
    compiled = regex.compile(pattern)
    return compiled, _plain_twin(compiled)


# a regex fragment whose first item is one word character, not optional: a letter or digit, \w, or a group
# of plain words (not followed by a quantifier that could skip it)
_WORD_FIRST = re.compile(r"(?:[A-Za-z0-9]|\\w|\(\?:[A-Za-z0-9]+(?:\|[A-Za-z0-9]+)*\))(?![?*{])")


def _opens_with_word_char(fragment: str) -> bool:
    """Every match of the regex ``fragment`` starts with a word character (a conservative test: False
    when unsure, e.g. for an alternation at the fragment's top level)."""
    return not _has_top_level_bar(fragment) and _WORD_FIRST.match(fragment) is not None


def _has_top_level_bar(fragment: str) -> bool:
    """The regex ``fragment`` is an alternation at its top level ("a|b"; not "(?:a|b)c" or "[|]")."""
    depth, i, in_set = 0, 0, False
    while i < len(fragment):
        ch = fragment[i]
        if ch == "\\":
            i += 2
            continue
        if in_set:
            in_set = ch != "]"
        elif ch == "[":
            in_set = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
        i += 1
    return False


# a fragment opening with a group of plain lower-case words: "(?:is|are)\s+to\s+be" (no quantifier after it)
_LEADING_WORDS = re.compile(r"\(\?:([a-z]+(?:\|[a-z]+)*)\)(?![?*+{])")


def _by_first_letter(fragments) -> str:
    """The regex alternation of ``fragments``, in order, with the branches that open with the same plain
    lower-case letter gathered under it: "w(?:ill|ould)|s(?:hall|eeks?\\s+to)|..." (a leading group of
    words is spread first: "(?:is|are)\\s+to" gives "is\\s+to" and "are\\s+to").

    The same matches, found faster by plain re: it passes over a branch whose first letter is not the
    text's at once, where a branch opening with a group is entered at every position. The order of choice
    stays: two branches opening with different letters never match at the same place, and a branch that
    opens otherwise ("\\w+'ll", or an alternation "a|b") stays between the branches before and after it.
    """
    parts: list[str] = []
    gathered: dict[str, list[str]] = {}  # letter -> the rest of each branch opening with it, in order

    def close_gathered() -> None:
        parts.extend(f"{letter}(?:{'|'.join(rests)})" for letter, rests in gathered.items())
        gathered.clear()

    for fragment in fragments:
        if _has_top_level_bar(fragment):
            branches = [fragment]
        else:
            words = _LEADING_WORDS.match(fragment)
            branches = [word + fragment[words.end():] for word in words.group(1).split("|")] if words \
                else [fragment]
        for branch in branches:
            if "a" <= branch[:1] <= "z" and branch[1:2] not in ("?", "*", "+", "{") \
                    and not _has_top_level_bar(branch):
                gathered.setdefault(branch[0], []).append(branch[1:])
            else:
                close_gathered()
                parts.append(branch)
    close_gathered()
    return "|".join(parts)


def _needs_apostrophe(fragment: str) -> bool:
    """Every match of the regex ``fragment`` holds an apostrophe ("\\w+'ll"): a conservative test, True only
    for a "'" outside any group, set or alternation, with no quantifier after it that could skip it."""
    if _has_top_level_bar(fragment):
        return False
    depth, i = 0, 0
    while i < len(fragment):
        ch = fragment[i]
        if ch == "\\" or ch == "[":  # (an escape, or a set: what follows is no plain "'" at depth 0)
            if ch == "[":
                return False
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "'" and depth == 0 and fragment[i + 1:i + 2] not in ("?", "*", "{"):
            return True
        i += 1
    return False


def _marker_pattern(alternation: str, word_start: bool = False) -> str:
    """The case-blind pattern of a marker alternation, matching whole words only. ``word_start``: every
    match opens with a word character, so "\\b" stands for the lookbehind before it (tested faster)."""
    return r"(?i)" + (r"\b" if word_start else r"(?<![\w])") + r"(?:" + alternation + r")(?![\w])"


def _marker_pair(fragments) -> tuple[Any, Any]:
    """The (regex, plain re) pair of the marker ``fragments``: their branches gathered by first letter and
    "\\b" before them when they all open with a word character (the same matches, found about twice as fast
    by regex in the sentences that are not plain ASCII)."""
    return _pair(_marker_pattern(_by_first_letter(fragments), all(_opens_with_word_char(f) for f in fragments)))


def _lower_twin(compiled: Any, word_start: bool = False) -> Any:
    """A ``(?i)`` pattern compiled by plain re without the flag, for plain ASCII text (:func:`_plain_ascii`)
    lower-cased first: it finds the same matches there (in ASCII, ignoring case is comparing lower-cased
    letters) and runs about twice as fast (plain re's case-blind matching is slow). None when the pattern
    has other flags, non-ASCII characters or capitals outside escapes, which would read differently.

    ``word_start``: every match starts with a word character, so an opening ``(?<![\\w])`` is ``\\b``, which
    plain re tests far faster than a lookbehind at every position."""
    pattern = compiled.pattern
    if not pattern.startswith("(?i)") or "(?" in pattern.replace("(?:", "").replace("(?<!", "").replace(
            "(?!", "").replace("(?=", "").replace("(?<=", "")[4:] or not pattern.isascii():
        return None
    if any(ch.isupper() for ch in re.sub(r"\\.", "", pattern)):
        return None
    pattern = pattern[4:]
    if word_start and pattern.startswith(r"(?<![\w])"):
        pattern = r"\b" + pattern[len(r"(?<![\w])"):]
    try:
        return re.compile(pattern, re.ASCII)  # (an ASCII pattern: see _ascii_flag)
    except re.error:
        return None


def _after_twin(twin: Any) -> Any:
    """A lower-case twin opening with "\\b" written to match after the character before each of its matches
    ("[^a-z0-9_]": in lower-cased ASCII text every other character is a word character), for the text with a
    space put before it: its matches start where the twin's do in the text without the space, and it opens
    with one character class, which plain re passes over in a tight loop, where "\\b" is tried as a match at
    every position. None when the twin opens otherwise or reads behind a match (it could read the space)."""
    if twin is None or not twin.pattern.startswith(r"\b") or "(?<" in twin.pattern:
        return None
    return re.compile("[^a-z0-9_]" + twin.pattern[2:], re.ASCII)


class _Twins:
    """Plain-re twins of some of the rules' forward patterns, under the same names, for plain ASCII
    texts (:func:`_plain_ascii`): plain re runs these faster (up to twice as fast)."""

    def __init__(self, rules: Any, names: tuple[str, ...]) -> None:
        for name in names:
            setattr(self, name, _plain_twin(getattr(rules, name)))


def _ascii_letter_classes(pattern: str) -> str:
    """``pattern`` with regex's letter classes as ASCII ranges: the same pattern for plain ASCII text
    (``\\p{L}`` only inside a set: ``[\\p{L}&-]``)."""
    out = pattern.replace(r"\p{Lu}", "[A-Z]").replace(r"\p{Ll}", "[a-z]").replace(r"[\p{L}", "[A-Za-z")
    assert r"\p{" not in out, pattern
    return out


def _plain_ascii(s: str) -> int:
    """1 if regex and plain re read ``s`` alike (ASCII: the same \\w, \\b, \\d and case folding; and no
    character that only plain re counts as \\s), else 0: the index into a :func:`_pair`."""
    # "\x1c"-"\x1f": the ASCII controls that plain re's \s matches and regex's does not (four substring
    # tests, written out: far cheaper than a character-class search over the whole text, or a generator)
    return 1 if s.isascii() and "\x1c" not in s and "\x1d" not in s and "\x1e" not in s and "\x1f" not in s else 0


_ASCII_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ASCII_SPACE = " \t\n\r\f\v"  # regex's \s in plain ASCII text


class _EndGuard:
    """What a reverse ``$``-anchored pattern can end on, whitespace aside: a cheap test that skips it.

    Its matches end (before trailing whitespace) with a whole word in ``words``, a character in ``marks``,
    or a word ending in one of ``suffixes`` glued to a number ("12aand": a digit, "." or "_" before it).
    Built from the pattern's word lists: a form ending in ASCII letters gives its last run of letters (the
    patterns put a word boundary or whitespace before each form, so the text's last word is exactly that
    run), any other form its last character. Only for plain ASCII text (:func:`_plain_ascii`), where (?i)
    folds ASCII letters only.

    A last word that ends forms of two or more words only ("of" in "a total of", "factor of") must also
    follow one of the runs of letters those forms hold before it (``after``): "the removal of 3" is
    skipped. (Each pattern's match ends with one whole form, and whitespace is all a form's words have
    between them.) Words in ``after_numbers`` end a match only after a number ("paragraphs 3 and"): a
    run of letters before them that no digit, "." or "_" is glued to rules them out.

    A full stop that ends forms after letters only ("approx.", "No.") must follow one of those runs of
    letters (``dotted``); ``dot_after_words``: the pattern takes a "." after any of its words ("EUR.").
    """

    def __init__(self, forms, suffixes=(), marks: str = "", after_numbers=(), dot_after_words: bool = False,
                 marks_after_numbers: str = "") -> None:
        words, last_marks, dotted = set(), set(marks) | set(marks_after_numbers), set()
        if dot_after_words:
            last_marks.discard(".")
        after: dict[str, set[str] | None] = {}  # None: the word ends a form of one word (or is not sure)
        for word in after_numbers:
            after[word] = set()
        for form in forms:
            form = form.lower()
            run = form[len(form.rstrip(_ASCII_LETTERS)):]
            if run:
                words.add(run)
                before = form[:-len(run)]
                prev = before.rstrip(" ")
                prev_run = prev[len(prev.rstrip(_ASCII_LETTERS)):]
                if prev_run and prev != before and after.get(run, set()) is not None:
                    after.setdefault(run, set()).add(prev_run)
                else:
                    after[run] = None
            elif form[-1:] == "." and form[-2:-1].isalpha() and form[-2:-1].isascii():
                dotted.add(form[len(form[:-1].rstrip(_ASCII_LETTERS)):-1])  # "approx." -> "approx"
            elif form:
                last_marks.add(form[-1])
        words.update(after_numbers)
        if dot_after_words:
            dotted |= words
        self.words = frozenset(words)
        self.suffixes = tuple(suffixes)
        self.marks = frozenset(last_marks)
        self.dotted = frozenset(dotted) if "." not in last_marks else frozenset()
        self.after = {word: frozenset(runs) for word, runs in after.items() if runs is not None}
        # marks that end a match only right after a number and up to five word characters or points, whitespace
        # aside ("paragraphs 3, ", "Sites 1a & "): unless a form ends with one too
        self.number_marks = frozenset(marks_after_numbers) - {form[-1:] for form in forms}

    @classmethod
    def union(cls, *guards: _EndGuard) -> _EndGuard:
        """The guard of any of ``guards``: it may end a string when one of them may."""
        union = cls(())
        union.words = frozenset().union(*(g.words for g in guards))
        union.suffixes = tuple(dict.fromkeys(sfx for g in guards for sfx in g.suffixes))
        union.marks = frozenset().union(*(g.marks for g in guards))
        union.dotted = frozenset().union(*(g.dotted for g in guards)) if "." not in union.marks else frozenset()
        union.after = {}
        # (a mark ends the union's matches only after a number when so in every guard it may end)
        union.number_marks = frozenset(mark for mark in union.marks
                                       if all(mark in g.number_marks for g in guards if mark in g.marks))
        for word in union.words:
            if all(word in g.after for g in guards if word in g.words):  # else a form of one word ends with it
                union.after[word] = frozenset().union(*(g.after[word] for g in guards if word in g.words))
        return union

    def may_end(self, s: str) -> bool:
        """False when no match can end ``s`` (plain ASCII); True when one may."""
        return self.may_end_tail(_tail(s))

    def may_end_tail(self, tail: tuple[str, str, bool, str] | None) -> bool:
        """:meth:`may_end` of a string whose :func:`_tail` is ``tail``."""
        if tail is None:
            return False
        last, word, glued, s = tail
        if last in self.marks:
            if last not in self.number_marks:
                return True
            before = s[:-1].rstrip(_ASCII_SPACE)  # the number, then [\w.]{0,5}: a digit in the last six
            return not _ASCII_DIGIT_SET.isdisjoint(before[len(before.rstrip(_ASCII_WORD_OR_DOT)):][-6:])
        if not word:
            if last == "." and self.dotted:  # the letters glued before it must end a dotted form
                k = len(s[:-1].rstrip(_ASCII_LETTERS))
                return k == len(s) - 1 or s[k:-1].lower() in self.dotted
            return False
        if word in self.words:
            runs = self.after.get(word)
            if runs is None:
                return True
            run = _run_before(s, len(s) - len(word))
            if run is None or run in runs:
                return True
        return glued and word.endswith(self.suffixes)


def _run_before(s: str, cut: int) -> str | None:
    """The run of ASCII letters (lower-cased) before the whitespace before ``s[cut:]``; "" when only
    whitespace comes before; None when something else does (a mark, a digit, letters glued to a number:
    then anything may)."""
    if cut == 0:
        return ""
    if s[cut - 1] not in _ASCII_SPACE:
        return None
    prev = s[:cut].rstrip(_ASCII_SPACE)
    if not prev:
        return ""
    k = len(prev.rstrip(_ASCII_LETTERS))
    if k == len(prev) or (k > 0 and (prev[k - 1].isdigit() or prev[k - 1] in "._")):
        return None  # no letters before, or letters glued to a number ("3a and")
    return prev[k:].lower()


def _overlaps_any(spans, figures) -> bool:
    """Some figure overlaps one of ``spans`` (records with a start and an end): what
    :meth:`_Scanner._in_reference` can find at most (loops, no generator: one or two of each)."""
    for span in spans:
        for fig in figures:
            if fig.start < span.end and span.start < fig.end:
                return True
    return False


_UNGUARDED = object()  # what _Scanner._tail_at gives for a window the end guards cannot read
_NOT_YET = object()  # (a window whose tail _Scanner._tail_at has not worked out yet)


def _tail(s: str) -> tuple[str, str, bool, str] | None:
    """What :meth:`_EndGuard.may_end` reads of ``s``, whitespace aside: its last character, its last run
    of ASCII letters (lower-cased), whether a digit, "." or "_" is glued before that run, and ``s``
    without the trailing whitespace (for the word before); None if ``s`` is all whitespace. Computed once
    per window, it serves every guard tried there."""
    s = s.rstrip(_ASCII_SPACE)
    if not s:
        return None
    cut = len(s.rstrip(_ASCII_LETTERS))
    return s[-1], s[cut:].lower(), cut > 0 and (s[cut - 1].isdigit() or s[cut - 1] in "._"), s


_WIDEST_WINDOW = 50  # the widest window read before a figure (_Scanner._context_trap, _reference_trap)
_LEFT_WINDOW = 40  # the window the growth to the left reads (_Scanner._grow_left)


def _narrower_tail(tail: tuple[str, str, bool, str] | None, cut: int) -> tuple[str, str, bool, str] | None:
    """:func:`_tail` of a window ``cut`` characters shorter, cut at its start, than the window whose
    :func:`_tail` is ``tail`` (the same last character, and the same last word unless it reaches the cut)."""
    if tail is None or cut == 0:
        return tail
    last, word, glued, s = tail
    if len(s) <= cut:
        return None  # all that is left is whitespace
    s = s[cut:]
    if len(word) < len(s):
        return last, word, glued, s
    return last, s.lower(), False, s  # the letters run to the cut: nothing is glued before them


# the forward patterns of _Rules with plain-re twins (_Rules.twins): those plain re runs faster
_TWINNED = ("digit_re", "second_digit_re", "slash_fraction_re", "ratio_re", "scale_after_re", "glued_scale_re",
            "currency_after_re", "bound_after_re", "range_sep_re", "month_after_re", "multiplier_after_re", "year_re",
            "never_figure_hint_re", "one_of_figure_re", "sentence_end_re", "never_figure_re", "never_figure_without_guid_re",
            "reference_hint_re", "unit_after_re", "fraction_re", "sentence_break_re", "next_word_re")


# the GUID branch of _Rules.never_figure_re: "3f2a1b4c-1234-5678-9abc-def012345678"
_GUID_BRANCH = r"[0-9a-fA-F](?i:(?<!\w.)[0-9a-f]{7}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)"


class _Rules:
    """A lexicon compiled into regexes and lookup tables, built once per lexicon object."""

    def __init__(self, lx: ClaimLexicon) -> None:
        self.lx = lx
        word_numbers = (list(lx.number_units) + list(lx.number_tens) + ["hundred", "thousand", "dozen"])
        unit_tens = "|".join(lx.number_tens)
        unit_ones = "|".join(w for w in lx.number_units if lx.number_units[w] < 10 and w != "zero")
        # one spelled-out number word, "forty-two" counted as one word
        nw = rf"(?:(?:{unit_tens})-(?:{unit_ones})|{_alt(word_numbers)})"
        self.number_word_re = regex.compile(
            # "and" only after a multiplier: "one hundred and twenty" is one number, "two and three" two
            rf"(?i)\b(?:a\s+(?:dozen|hundred|thousand|million|billion)\b|{nw})"
            rf"(?:(?:\s+|-){nw}|(?<=hundred|thousand|million|billion)\s+and\s+{nw})*\b"
            rf"(?:(?:\s+|-)(?:million|billion))?\b"
        )
        # The number words number_word_re reads as a whole match alone (_Scanner._plain_number_word): every one of
        # its number words but "a" (which opens "a dozen"), when all are ASCII letters; and the words that may
        # go on one after whitespace (another number word, "and" after a multiplier, "million", "billion")
        lone = frozenset(w.lower() for w in word_numbers)
        self.lone_number_words = lone - {"a"} if all(w.isascii() and w.isalpha() for w in lone) else frozenset()
        self.number_word_sequels = tuple(sorted(lone | {"and", "million", "billion"}))
        self.number_word_sequel_len = max(map(len, self.number_word_sequels))
        denominators = _alt(lx.fractions)
        numerators = _alt(["a", "an", "one", *[w for w in lx.number_units if 1 < lx.number_units[w] < 10]])
        self.fraction_re = regex.compile(
            rf"(?i)\b(?:(?P<num>{numerators})(?:\s+|-))?(?P<den>{denominators})\b"
        )
        # a digit number: "1,200", "1 200", "4.5", ".5"
        self.digit_re = regex.compile(
            r"(?<![\w.,/:\-])(?:\d{1,3},\d{1,2}(?=\s?(?:million|billion|mn|bn|mio|Mio|m\b|M\b))|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)(?![,.]\d)"
            r"|\d+(?:\.\d+)?|(?<![\d])\.\d+)"
        )
        self.second_digit_re = regex.compile(
            r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)(?![,.]\d)|\d+(?:\.\d+)?)"
        )
        self.ratio_re = regex.compile(
            rf"(?i)\b(?P<a>\d+|{_alt(['one', 'a', 'two', 'three', 'four', 'five'])})\s+in\s+(?:every\s+)?"
            rf"(?P<b>\d+|{_alt(list(lx.number_units) + list(lx.number_tens))})\b"
        )
        core_words = word_numbers + list(lx.fractions) + ["million", "billion"]
        self.core_re = regex.compile(r"(?i)\d+|\b(?:" + _alt(core_words) + r")\b")
        # In ASCII text regex's \w is [A-Za-z0-9_], so core_re finds every run of digits and every whole
        # word that is a number word: plain re finds the same in the lower-cased text, case-sensitively
        # and faster (case-blind matching is slow in plain re; every test stays inside re)
        self.core_words = frozenset(w.lower() for w in core_words) \
            if all(w.isascii() and w.isalpha() for w in core_words) else None
        # Two patterns, not one alternation of digits and words: plain re opens each with a fast scan for
        # its first character (a digit; the words' first letters after a word boundary), where one pattern
        # holding both is tried at every letter its class takes in (three times the cost). Their matches
        # never touch (a word follows no digit, a digit run no word), so the two lists sorted together are
        # core_re's matches. The words form a trie ("f(?:i(?:ft...)|orty...)"): each letter is tried once,
        # not once per word; a whole word must match, so the order of the branches does not matter.
        self.ascii_core_words_re = re.compile(rf"\b{_trie_alt(self.core_words)}\b", re.ASCII) \
            if self.core_words else None
        # The same words after the character before them (group 1: the word), for the scan of a whole text: the
        # pattern then opens with one character class (no letter, digit or "_" of the lower-cased text), which
        # plain re passes over in a tight loop, where "\b" is tried as a match at every position; a word that
        # opens the text is read after a space put before the text
        self.ascii_core_words_after_re = re.compile(rf"[^a-z0-9_]({_trie_alt(self.core_words)})\b", re.ASCII) \
            if self.core_words else None
        self.core_word_bytes = frozenset(w.encode("ascii") for w in self.core_words) if self.core_words else None
        # the guards of the costlier reverse patterns below (see _Scanner._ends)
        self.currency_end = _EndGuard(lx.currencies, marks=".", dot_after_words=True)
        self.bound_end = _EndGuard(list(lx.bounds) + list(lx.fillers))
        self.filler_end = _EndGuard(lx.fillers)
        # "Target 12", "paragraphs 3, 4 and", "No. 5": a reference word, or a separator after its numbers
        # (glued to them: "12aand"), or the marks of "No.", "n°", "section:"
        self.reference_end = _EndGuard(list(lx.reference_words) + ["no"], after_numbers=("and", "to", "or", "of"),
                                       suffixes=("and", "to", "or", "of"), marks=":#°", marks_after_numbers=",&-–")
        self.month_end = _EndGuard(list(lx.months) + ["the"], marks=".", dot_after_words=True)
        self.denominator_end = _EndGuard(["per", "factor of", "every", "/"])
        self.out_of_end = _EndGuard(["out of"])
        self.label_end = _EndGuard([], marks=":")
        self.between_end = _EndGuard(["between"])
        # what the context traps and the growth to the left look for before a figure, all at once: most
        # figures follow a word that none of them can end on, and then none need be tried
        self.context_end = _EndGuard.union(self.month_end, self.denominator_end, self.out_of_end)
        self.left_end = _EndGuard.union(self.label_end, self.currency_end, self.between_end, self.bound_end,
                                        self.filler_end)
        # and what every test before a digit figure reads (the context traps, the reference trap, the growth
        # to the left): see _Scanner._quiet_before
        self.before_end = _EndGuard.union(self.context_end, self.reference_end, self.left_end)
        self.label_unit_re = regex.compile(
            rf"(?ri)\((?P<u>{_alt(list(lx.currencies) + list(lx.units))})\)\s*:\s*$")
        self.slash_fraction_re = regex.compile(r"(?<![\w/.,])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\w/])(?=\s+of\s)")
        self.article_before_re = regex.compile(r"(?ri)\ban?\s+$")
        self.scale_after_re = regex.compile(
            rf"(?i)(?:\s*|-)(?P<w>{_alt(lx.scales)})(?![\w])"
        )
        self.glued_scale_re = regex.compile(
            rf"(?P<w>{_alt(lx.glued_scales)})(?![A-Za-z0-9])"
        )
        # the first letters of the glued scales (case-sensitive, as the pattern), None if one is empty
        self.glued_scale_initials = frozenset(w[0] for w in lx.glued_scales) if all(lx.glued_scales) else None
        currency_words = [c for c in lx.currencies if c[0].isalpha()]
        currency_symbols = [c for c in lx.currencies if not c[0].isalpha()]
        cur_alt = _alt(lx.currencies)
        self.currency_before_re = regex.compile(
            rf"(?ri)(?:(?<![\w$€£¥])(?:{_alt(currency_words)})\.?\s*|(?:{_alt(currency_symbols)})\s?)$"
        )
        self.currency_after_re = regex.compile(
            rf"(?i)\s?(?P<k>[kKmM](?=€)|(?:[kKmM](?=EUR\b)))?(?P<c>{cur_alt})(?![A-Za-z])"
        )
        self.currency_forms = {k.lower(): v for k, v in lx.currencies.items()}
        self.unit_after_re = regex.compile(
            rf"(?i)(?:\s*|-)(?P<u>{_alt(lx.units)})(?![A-Za-z0-9²])"
        )
        self.unit_forms = {k.lower(): v for k, v in lx.units.items()}
        bound_alt = _alt(lx.bounds)
        filler_alt = _alt(lx.fillers)
        self.bound_before_re = regex.compile(
            rf"(?ri)(?<![\w])(?P<b>{bound_alt})\s+(?:(?:{filler_alt})\s+)?$"
        )
        self.bound_forms = {_re(r"\s+").sub(" ", k.lower()): v for k, v in lx.bounds.items()}
        self.filler_before_re = regex.compile(rf"(?ri)(?<![\w])(?:{filler_alt})\s+$")
        self.bound_after_re = regex.compile(rf"(?i)(?P<b>\+|\s+(?:{_alt(k for k in lx.bound_suffixes if k != '+')}))(?![\w])")
        self.suffix_forms = {_re(r"\s+").sub(" ", k.lower()): v for k, v in lx.bound_suffixes.items()}
        self.range_sep_re = regex.compile(r"(?i)\s*(?:-|–|—|to|and)\s*")
        # After one space, the first run of letters that scale_after_re, currency_after_re (its "k€" and
        # "kEUR" too), unit_after_re and bound_after_re can read: the leading letters of one of their forms
        # (each form must end a run of letters, or be followed by a non-letter); range_sep_re's words need
        # no boundary after them ("to" in "tons"), so a word opening with one may match too
        self.right_words = frozenset(
            _leading_letters(form) for form in [*lx.scales, *lx.currencies, *lx.units, *lx.bound_suffixes,
                                                "k", "m", "keur", "meur"]) - {""}
        self.range_words = ("to", "and")
        # The characters any of those patterns (and glued_scale_re) can open with, in plain ASCII text: whitespace,
        # the hyphens and dashes of a range or a unit, "+", and the first letters of their forms in either case
        # (None if a form is empty): after a number followed by none of them ("12.", "3)"), none of them matches
        first_chars = [form[:1] for form in [*lx.scales, *lx.currencies, *lx.units, *lx.bound_suffixes,
                                             *lx.glued_scales]]
        self.right_openers = None if "" in first_chars else frozenset(
            _ASCII_SPACE + "-–—+kKmMtTaA" + "".join(first_chars) + "".join(first_chars).swapcase())
        # The same for month_after_re and multiplier_after_re after a number: a month, "of" (before one),
        # "fold", "times", or a word opening with a range word ("to", "and", "till", "until": "to5")
        self.context_after_words = frozenset([*map(_leading_letters, lx.months), "of", "fold", "times"]) - {""}
        self.context_after_prefixes = ("to", "and", "till", "until")
        # and the characters either can open with in plain ASCII text (both read case-blind): whitespace, a hyphen
        # or dash, an ordinal's "st", "nd", "rd", "th", a range word's "to", "and", "till", "until", "fold", "x"
        # (the months, "of" and "times" come after whitespace): after a number followed by none ("12,", "3)")
        # neither matches
        self.context_after_openers = frozenset(_ASCII_SPACE + "-–" + "sSnNrRtTaAuUfFxX")
        # "\b(?:[Oo][Pp]|PP)\s?\d|(?i:\bparagraph|\bpara\.?\s*\d)", written to open with one character class
        # (plain re then skips every other character in a tight loop) and to pick its branch by that letter
        self.reference_hint_re = regex.compile(
            r"[OoPp](?<!\w.)(?:(?<=[Oo])[Pp]\s?\d|(?<=P)P\s?\d|(?<=[Pp])(?i:aragraph|ara\.?\s*\d))")
        self.one_of_figure_re = regex.compile(
            r"(?i)\s+of\s+(?:the|these|those|its|our|their)\s+(?:\d|" + _alt(lx.number_units) + ")")
        self.change_before_re = regex.compile(rf"(?ri)\b(?:{_alt(lx.change_verbs)})\b[^.;]{{0,40}}$")
        self.between_re = regex.compile(r"(?ri)(?<![\w])between\s+$")
        self.from_re = regex.compile(r"(?ri)(?<![\w])from\s+(?:(?:" + bound_alt + r")\s+)?$")
        ref_alt = _alt(lx.reference_words)
        self.reference_before_re = regex.compile(
            rf"(?ri)(?<![\w])(?:{ref_alt})(?<=\W|\w(?!\w))[:#]?\s*(?:n[o°]\.?\s*)?"
            r"(?:\d[\w.]{0,5}\s*(?:,|&|and|to|-|–|or|of)\s*)*$"
        )
        month_alt = _alt(lx.months)
        self.month_after_re = regex.compile(
            rf"(?i)(?:st|nd|rd|th)?(?:\s*(?:[-–]|to|and|till|until)\s*\d{{1,2}}(?:st|nd|rd|th)?)?(?:\s+of)?\s+"
            rf"(?:{month_alt})\b\.?")
        self.month_before_re = regex.compile(rf"(?ri)\b(?:{month_alt})\.?\s+(?:the\s+)?$")
        self.year_re = regex.compile(r"(?:1[89]|20)\d\d")
        self.next_word_re = regex.compile(r"\s*([\w'’-]+)")  # the word after some whitespace (_Scanner._next_word)
        self.denominator_before_re = regex.compile(r"(?ri)(?:\bper|\bfactor\s+of|\bevery|/)\s*$")
        self.out_of_before_re = regex.compile(r"(?ri)\bout\s+of\s+$")
        self.multiplier_after_re = regex.compile(r"(?i)(?:\s*|-)fold\b|x\b|\s+times\s+(?:as|more|less|larger|higher|bigger|greater|smaller|the)\b")
        # marker patterns as (regex, plain re) pairs: the second is for plain ASCII sentences (_plain_ascii),
        # where both modules read the same pattern alike and plain re runs these alternations twice as fast
        self.planned_res = _marker_pair(lx.planned_markers)
        self.achieved_res = _marker_pair(lx.achieved_markers)
        self.future_achieved_res = _marker_pair(lx.future_achieved_markers)
        # the twins for lower-cased plain ASCII sentences (None if a lexicon's markers rule them out), their
        # branches gathered by first letter (the planned markers' scan is the costliest pattern call here)
        self.planned_lower_re = _lower_twin(
            regex.compile(_marker_pattern(_by_first_letter(lx.planned_markers))),
            word_start=all(_opens_with_word_char(f) for f in lx.planned_markers))
        self.achieved_lower_re = _lower_twin(
            regex.compile(_marker_pattern(_by_first_letter(lx.achieved_markers))),
            word_start=all(_opens_with_word_char(f) for f in lx.achieved_markers))
        self.planned_after_re = _after_twin(self.planned_lower_re)
        self.achieved_after_re = _after_twin(self.achieved_lower_re)
        # The planned markers but those that need an apostrophe ("\w+'ll"), for the sentences without one: the
        # same matches, found faster (that marker reads each word to its end looking for the "'", and it
        # splits the branches gathered by first letter in two)
        unquoted = [f for f in lx.planned_markers if not _needs_apostrophe(f)]
        self.planned_unquoted_after_re = _after_twin(_lower_twin(
            regex.compile(_marker_pattern(_by_first_letter(unquoted))),
            word_start=all(_opens_with_word_char(f) for f in unquoted))) \
            if unquoted and len(unquoted) < len(lx.planned_markers) else self.planned_after_re
        # the sentence's first word and the next: "Seek EUR 1.2 million" (a bullet or quote may come first)
        opener = r"^[\W\d_]*?(?P<w>\p{Lu}\p{Ll}+)\s+(?P<n>[\w'’]+)"
        # a subject before a past verb: "we completed", "IFAW trained", "Greenwatch held"
        subject_verb = (r"(?:\b(?i:we|they|he|she)|\b(?i:the|our|their)\s+\p{Ll}+|\b\p{Lu}[\p{L}&-]*)\s+"
                        r"(?i:(?:also|jointly|then|successfully|recently)\s+)?"
                        r"(?P<v>\p{Ll}+)\b")
        # (regex, plain re) pairs as for the markers: in ASCII the letter classes are plain ranges
        self.opener_res = (regex.compile(opener), re.compile(_ascii_letter_classes(opener), _ascii_flag(opener)))
        self.subject_verb_res = (regex.compile(subject_verb),
                                 re.compile(_ascii_letter_classes(subject_verb), _ascii_flag(subject_verb)))
        # "will", "to", ... up to two words before a verb (lower-cased): "will be trained", "to train"
        self.modal_before_re = regex.compile(r"(?r)(?:\bwill|\bshall|'ll|\bto|\bwould)\s+(?:\w+\s+){0,2}$")
        self.clause_end_res = _pair(r"[,;:(]|\s[-–—]\s|$")
        self.position_bound_re = regex.compile(rf"(?i)(?:{_alt(lx.position_bounds)})\b")
        self.elevation_re = regex.compile(rf"(?i)(?<![\w])(?:{_alt(lx.elevation_words)})(?![\w])")
        # ("[.!?][.!?]*", not "[.!?]+": opening with one character class, not a repeat, plain re passes over
        # the text in a tight loop instead of trying a match at every position)
        self.sentence_break_re = regex.compile(
            r"[.!?][.!?]*[\"'”’)\]]*(?P<gap>)[ \t]+(?=[\"“‘(\[]?[A-Z0-9])")
        self.word_before_re = regex.compile(r"(?r)[\w.]*$")
        self.sentence_end_re = regex.compile(r"\n\s*\n|\n(?=\s*[A-Z0-9•\-\*\[(])|(?<=[.!?;:])\s*\n")
        # a mark, or a digit before what a time or a grouped number goes on with: "[+/:()\-–]|\d[\s.]\d|
        # \d\s?[ap]\.?m|\d\s?h", written to open with one character class (plain re then skips every other
        # character in a tight loop; an alternation is tried branch by branch at every position)
        self.never_figure_hint_re = regex.compile(r"[+/:()\-–\d](?:(?<=[+/:()\-–])|[\s.]\d|\s?[ap]\.?m|\s?h)")
        # (two lookbehinds of fixed width, not one of varying width: plain re can compile its twin)
        # Every match opens with "+", "(", a digit or a hex letter: each branch opens with its own character
        # outside the case-blind part ("(?i:" after it), so that plain re passes over a branch whose first
        # character is not the text's at once, and regex needs no case folding to pick the branch; the
        # branch then reads what stood before that character, as it did ahead of it when written as an
        # alternation: "(?<![\w+])\+\d{1,3}..." is "\+(?<![\w+].)\d{1,3}...", a "\b" before a digit "(?<!\w.)"
        never_figure_branches = (
            r"\+(?i:(?<![\w+].)\d{1,3}(?:[\s.\-]?\(?\d{1,4}\)?){2,})",                    # +41 22 999 0000
            r"\((?i:(?<!\w.)\d{2,5}\)\s?\d{3,4}[\s\-.]?\d{3,4}\b)",                       # (022) 999-0000
            r"0(?i:(?<![\w,.].)\d{2,4}(?:[ \-]\d{2,4}){2,}\b)",                              # 0800 123 456
            _GUID_BRANCH,                                                                   # GUIDs
            r"\d(?i:(?<!\w.)\d{0,3}[/.\-]\d{1,2}[/.\-]\d{2,4}\b)",                           # 30/09/2022, 2022-09-30
            r"\d(?i:(?<!\w.)\d?[:h.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.|h|hrs)?(?!\.?\d)(?=\W|$)"
            r"(?:(?<=[:hmsHMS]\d\d)|(?<=m|\.|s)))",                                              # 9:30, 10h30 am
            r"\d(?i:(?<!\w.)\d?\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w))",                            # 3 pm
        )
        self.never_figure_re = regex.compile("|".join(never_figure_branches))
        # The same without the GUID branch, the only one that needs a "-" (four): in a window without one it
        # finds the same matches, and it opens with "+", "(" or a digit only, where the hex letters of the
        # GUID branch make the search try a match at a third of the letters of the text
        self.never_figure_without_guid_re = regex.compile(
            "|".join(branch for branch in never_figure_branches if branch != _GUID_BRANCH))
        self.twins = _Twins(self, _TWINNED)

    def core_hit_lists(self, text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(start, end) of every match of ``core_re`` in ``text`` (where numbers may start), as two lists,
        each in text order: the runs of digits, and the number words (each match of ``core_re`` opens with
        a digit or a letter: it is one or the other)."""
        if self.ascii_core_words_re is not None and text.isascii():
            digits = [m.span() for m in _ASCII_DIGITS.finditer(text)]
            lowered = text.lower()
            # The words the pattern reads are the runs of [a-z0-9_] of the lower-cased text (the word characters of
            # ASCII) that are number words: with every other character made a space (bytes.translate, a table
            # lookup per character) the runs are split out, and when none is a number word, as in most texts,
            # the pattern finds none (a set test, far cheaper than its scan)
            if self.core_word_bytes.isdisjoint(lowered.encode("ascii").translate(_WORD_BYTES_ONLY).split()):
                return digits, []
            # (ASCII: the same offsets in the lower-cased text, one on with the space read as the character before
            # a word that opens the text)
            return digits, [(m.start(1) - 1, m.end(1) - 1)
                            for m in self.ascii_core_words_after_re.finditer(" " + lowered)]
        hits = [m.span() for m in self.core_re.finditer(text)]
        digits = [hit for hit in hits if text[hit[0]].isdigit()]
        return digits, [hit for hit in hits if not text[hit[0]].isdigit()] if len(digits) < len(hits) else []


@functools.lru_cache(maxsize=16)
def _rules(lexicon: ClaimLexicon) -> _Rules:
    return _Rules(lexicon)


# ----------------------------------------------------------------------------------------- numbers
def _at_end(pattern: Any, s: str, pos: int = 0, endpos: int | None = None) -> Any:
    """``pattern.search(s, pos, endpos)`` for a reverse ``(?r)`` pattern that ends with ``$``, faster.

    A reverse search tries every end position from the right, but ``$`` holds only at the end (or before
    a final newline): a match tried at the end alone gives the same answer unless the text ends in one.
    """
    end = len(s) if endpos is None else endpos
    m = pattern.match(s, pos, end)
    if m is None and end > pos and s[end - 1] == "\n":
        m = pattern.search(s, pos, end)
    return m


def _one_space(s: str) -> str:
    """``s`` with every run of whitespace (regex's ``\\s+``) made one space; most forms hold none."""
    if " " not in s and s.isprintable():  # every whitespace character but the space is unprintable
        return s
    return _re(r"\s+").sub(" ", s)


def _parse_number_words(words: str, lx: ClaimLexicon) -> float | None:
    """'one hundred and twenty' -> 120; 'a dozen' -> 12; 'forty-two' -> 42."""
    words = words.lower().strip()
    # (one word, the usual case, has no whitespace or hyphen to split at)
    tokens = [words] if words.isalpha() else _re(r"[\s\-]+").split(words)
    total = 0
    current = 0
    seen = False
    for tok in tokens:
        if tok in ("and", ""):
            continue
        if tok == "a" or tok == "an":
            current = max(current, 1)
            continue
        if tok in lx.number_units:
            current += lx.number_units[tok]
        elif tok in lx.number_tens:
            current += lx.number_tens[tok]
        elif tok == "hundred":
            current = max(current, 1) * 100
        elif tok == "dozen":
            current = max(current, 1) * 12
        elif tok in ("thousand", "million", "billion"):
            total += max(current, 1) * lx.number_multipliers[tok]
            current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


def _article_before(text: str, p: int, rules: _Rules) -> Any:
    """``article_before_re``'s match ("a ", "An\t") in the four characters before ``p`` (> 0), None if none."""
    # (the pattern ends in whitespace, every character regex's \s takes in is str.isspace, and "a" or "an"
    # comes right before that whitespace: an "a" or "n" in either case, the only letters that fold to them)
    if not text[p - 1].isspace():
        return None
    window_start = p - 4 if p > 4 else 0
    if text[window_start:p].rstrip()[-1:] not in ("a", "A", "n", "N"):
        return None
    return rules.article_before_re.search(text, window_start, p)


def _in_follows(text: str, end: int) -> bool:
    """Whitespace then "in" (any case) at ``end``: what "1 in 4" needs after its first number."""
    j = end
    n = len(text)
    while j < n and text[j].isspace():  # str.isspace takes in all of regex's \s
        j += 1
    return j > end and text[j:j + 2].lower() == "in"


# _in_follows as one pattern: re's \s is str.isspace, and the only characters that lower() to "i" and "n"
# are "iI" and "nN" (faster: no Python loop for every digit run)
_IN_FOLLOWS = re.compile(r"\s+[iI][nN]")


def _in_after(text: str, end: int) -> bool:
    """``_IN_FOLLOWS.match(text, end)``, its usual answers without a pattern call: after one space and no other
    whitespace, the two letters that follow must be "in" (any case); no whitespace at all, no match."""
    after = text[end:end + 3]
    if after[:1] == " " and not after[1:2].isspace():
        return after[1:].lower() == "in"  # (only "I" and "N" lower() to "i" and "n")
    return after[:1].isspace() and _IN_FOLLOWS.match(text, end) is not None


def _is_year(digits: str) -> bool:
    """``year_re.fullmatch(digits)`` (either twin), without a pattern call: four digits from 1800 to 2099."""
    return len(digits) == 4 and digits[:2] in ("18", "19", "20") and digits[2:].isdecimal()


def _parse_digits(s: str) -> float:
    if s.replace(".", "", 1).isdecimal():  # most numbers: no comma or space to read, at most a point
        return float(s)
    if s.isascii():
        # (regex's \d is [0-9] in ASCII: the decimal comma's pattern read by str methods, no pattern calls)
        whole, comma, decimals = s.partition(",")
        if comma and 0 < len(whole) <= 3 and 0 < len(decimals) <= 2 and whole.isdigit() and decimals.isdigit():
            return float(s.replace(",", "."))
    elif _re(r"\d{1,3},\d{1,2}").fullmatch(s):
        return float(s.replace(",", "."))  # "1,5 million": a decimal comma (only matched before a scale word)
    grouped = s.replace(",", "")
    if grouped.replace(".", "", 1).isdecimal():  # "1,200", "12,500.5": only commas to take out (no whitespace)
        return float(grouped)
    return float(_re(r"[,\s\u00a0\u202f\u2009]").sub("", s))


@dataclass(slots=True)
class _Figure:
    """A figure being grown around one number core (mutable while the scanner works on it)."""

    start: int
    end: int
    value: float
    value_max: float | None = None
    bound: str = "="
    unit: str | None = None
    kind: str = "count"
    is_words: bool = False
    is_year_like: bool = False
    scaled: bool = False
    glued_m: bool = False
    ratio: bool = False
    scale_mult: float = 1.0  # what a scale word multiplied the number by ("20 million": 1e6)


# ----------------------------------------------------------------------------------------- scanner
_QUOTES = frozenset("\"'“”‘’«»")
# ASCII characters after which digit_re's lookbehind fails: word characters (for regex and plain re alike), ".,/:-"
_NO_NUMBER_AFTER = frozenset(_ASCII_LETTERS + "0123456789_.,/:-")
# In plain ASCII text digit_re's branches other than "\d+(?:\.\d+)?" need a comma or a space right after
# the first digits, and that branch a point to go on past them, each followed by a digit: when none of these
# follows a run of digits (and its lookbehind holds), or one does but no digit after it ("35 rangers", "12.",
# "3, 4"), the match is the run itself ("" at the end of the text is none)
_NUMBER_GOES_ON = frozenset(",. ")
_ASCII_DIGIT_SET = frozenset("0123456789")
_HYPHENS = frozenset(("-", "–"))  # the hyphens that join the words around them (_Phrase._joined)
_PUNCT_STOP = set(",;:.!?()[]{}\"“”‘’'/|")


class _Scanner:
    def __init__(self, text: str, rules: _Rules, doc=None, references=None) -> None:
        self.text = text
        self.references = references  # find_references(text), when the caller already has it
        self.r = rules
        self.lx = rules.lx
        self.doc = doc
        self.excluded: list[tuple[int, int]] = []  # reference spans, sorted
        self._excluded_starts: list[int] = []
        # (sentence start, end) -> where its planned / achieved markers start, found once per sentence
        self.planned_at: dict[tuple[int, int], list[int]] = {}
        self.achieved_at: dict[tuple[int, int], list[int]] = {}
        self.plain = _plain_ascii(text)
        self.fwd = rules.twins if self.plain else rules  # the forward patterns to use on this text
        self.tails: dict[tuple[int, int], tuple[str, str, bool, str] | None] = {}  # (end, n) -> _tail of the window
        self.words_after: dict[int, str | None] = {}  # end -> the word after one space there (_plain_word_after)
        self.next_words: dict[int, str] = {}  # position -> _next_word there

    def _ends(self, pattern, guard: _EndGuard, end: int, n: int):
        """``pattern.search(text[end - n:end])`` for a reverse ``$``-anchored pattern, skipped where ``guard``
        rules it out (the window's :func:`_tail` is worked out once for all the guards tried on it).

        The pattern reads the window alone, so a plain ASCII window of a text that is not (a figure far
        from its "€") can be guarded too."""
        tail = self._tail_at(end, n)
        if tail is not _UNGUARDED and not guard.may_end_tail(tail):
            return None
        return _at_end(pattern, self.text[end - n if end > n else 0:end])

    def _tail_at(self, end: int, n: int) -> tuple[str, str, bool, str] | None:
        """:func:`_tail` of ``text[end - n:end]``, worked out once per window; ``_UNGUARDED`` when that
        window is not plain ASCII (:func:`_plain_ascii`: the guards do not hold there)."""
        key = (end, n)
        tail = self.tails.get(key, _NOT_YET)
        if tail is _NOT_YET:
            # (the traps read the widest window first: in plain text the narrower ones are cut from its tail)
            wider = self.tails.get((end, _WIDEST_WINDOW), _NOT_YET) if self.plain and n < _WIDEST_WINDOW else _NOT_YET
            if wider is not _NOT_YET:
                # (the windows are cut at the text's start: the wider is min(end, 50) long, this one min(end, n))
                tail = _narrower_tail(wider, (_WIDEST_WINDOW if end > _WIDEST_WINDOW else end) - (n if end > n else end))
            else:
                window = self.text[end - n if end > n else 0:end]
                tail = _tail(window) if self.plain or _plain_ascii(window) else _UNGUARDED
            self.tails[key] = tail
        return tail

    # ---------------------------------------------------------------- exclusions
    def _exclusions_from_references(self, figures: list[_Figure]) -> None:
        """Spans of explicit paragraph references (opmapper.references) are never claims."""
        if self.references is not None and not _overlaps_any(self.references, figures):
            # the caller found none, or none that a figure overlaps: excluding them would drop no figure
            # (and spares the hint search over the whole text)
            return
        if not self.fwd.reference_hint_re.search(self.text):
            return
        refs = self.references
        if refs is None:  # (the report parser passes its references: then nothing to import or find)
            try:
                from .references import find_references
                refs = find_references(self.text)
            except NotImplementedError:  # references not built yet: the local rules still catch "OP4"
                return
            except Exception:  # a references bug must not break claims
                return
        self.excluded.extend((r.start, r.end) for r in refs)
        self.excluded.sort()
        self._excluded_starts = [a for a, _ in self.excluded]

    def _never_figure(self, start: int, end: int) -> bool:
        """Phone numbers, GUIDs, dates and times around [start, end): digit runs that are never figures.

        Searched in a window around each candidate rather than over the whole text: figures are sparse.
        """
        # (an end past the text's is read as its end by either module; a start before it must be 0 for regex,
        # which reads a negative one from the end: conditions, not max() and min() calls)
        if not self.fwd.never_figure_hint_re.search(self.text, start - 3 if start > 3 else 0, end + 5):
            return False  # no separator or time mark next to the digits: nothing to look for
        lo, hi = start - 48 if start > 48 else 0, end + 48
        pattern = self.fwd.never_figure_re if "-" in self.text[lo:hi] else self.fwd.never_figure_without_guid_re
        for m in pattern.finditer(self.text, lo, hi):
            if m.start() >= end:
                return False  # (matches come in text order: none from here on reaches back into the figure)
            if start < m.end():
                return True
        return False

    def _in_reference(self, start: int, end: int) -> bool:
        if self.excluded:
            # spans are sorted and short: only those starting shortly before ``end`` can overlap
            k = bisect.bisect_left(self._excluded_starts, end)
            for _, e in self.excluded[k - 8 if k > 8 else 0:k]:  # (a loop: no generator for one or two spans)
                if start < e:
                    return True
        return False

    # ---------------------------------------------------------------- number cores
    def cores(self, digit_hits: list[tuple[int, int]], word_hits: list[tuple[int, int]]):
        """Digit and word number cores, in text order, as (start, end, value, is_words); the hits are
        :meth:`_Rules.core_hit_lists`."""
        text = self.text
        r = self.r
        fwd = self.fwd
        plain = self.plain
        out = []
        ratios = False  # a ratio core was taken: it goes before the digit core at its start
        digits_to = -1
        # one cheap pass finds where numbers may start; the precise patterns are tried there only
        for p, hit_end in digit_hits:
            nxt = text[hit_end:hit_end + 1]
            if p >= digits_to:
                # (the pattern's "/" right after one or two digits: the run of digits is all of them)
                if nxt == "/" and hit_end - p <= 2:
                    m = fwd.slash_fraction_re.match(text, p)
                    if m:  # "3/4 of the seedlings" (a date or an id has no "of" after it)
                        out.append((m.start(), m.end(), None, "slash"))
                        digits_to = m.end()
                        continue
                # (digit_re opens with "(?<![\w.,/:\-])": after such a character it cannot match)
                ruled_out = p and text[p - 1] in _NO_NUMBER_AFTER
                if not ruled_out and plain and (nxt not in _NUMBER_GOES_ON
                                                or text[hit_end + 1:hit_end + 2] not in _ASCII_DIGIT_SET):
                    span = (p, hit_end)  # digit_re's match: the run of digits itself (see _NUMBER_GOES_ON)
                else:
                    m = None if ruled_out else fwd.digit_re.match(text, p)
                    if m is None and p and text[p - 1].isalpha() and (
                            not plain or r.currency_end.may_end(text[p - 5 if p > 5 else 0:p])) and _at_end(
                            r.currency_before_re, text, p - 5 if p > 5 else 0, p):
                        m = fwd.second_digit_re.match(text, p)  # "EUR1.2m": a currency code glued to the number
                    span = m.span() if m else None
                if span:
                    a, digits_to = span
                    out.append((a, digits_to, _parse_digits(text[a:digits_to]), False))
                else:
                    digits_to = hit_end
            # "1 in 4": after digits, a ratio needs whitespace and "in" (the test spares the pattern; after
            # one space and no more, it is the two characters that follow: no call)
            if nxt == " ":
                after = text[hit_end + 1:hit_end + 3]
                ratio = after.lower() == "in" or (after[:1].isspace() and _in_after(text, hit_end))
            else:
                ratio = nxt.isspace() and _in_after(text, hit_end)
            if ratio:
                m = fwd.ratio_re.match(text, p)
                if m:
                    out.append((m.start(), m.end(), None, "ratio"))
                    ratios = True
        words_to = fraction_to = -1
        for p, hit_end in word_hits:
            # "a dozen", "a third": the article before the word may open the number
            article = _article_before(text, p, r) if p else None
            starts = (article.start(), p) if article else (p,)
            # (number_word_re's match read without the pattern where plain tests can tell: see _plain_number_word)
            told = self._plain_number_word(p, hit_end) if p >= words_to and plain and article is None else None
            if told:  # the word alone
                value = _parse_number_words(text[p:hit_end], self.lx)
                if value is not None:
                    out.append((p, hit_end, value, True))
                words_to = hit_end
            elif p >= words_to and told is None:  # (told == 0: no match there)
                for q in starts:
                    m = r.number_word_re.match(text, q)
                    if m:
                        value = _parse_number_words(m.group(), self.lx)
                        if value is not None:
                            out.append((m.start(), m.end(), value, True))
                        words_to = m.end()
                        break
            if p >= fraction_to:
                for q in starts:
                    m = fwd.fraction_re.match(text, q)
                    if m:
                        out.append((m.start(), m.end(), None, "fraction"))
                        fraction_to = m.end()
                        break
            # a ratio after a word: in plain ASCII text only where "in" follows, as after digits (an article
            # before the word cannot open one there)
            if not plain or _in_after(text, hit_end):
                m = fwd.ratio_re.match(text, starts[0])
                if m:
                    out.append((m.start(), m.end(), None, "ratio"))
        # The digit cores alone come in text order (each starts at its own run of digits, after the one
        # before): only word cores or ratios need sorting
        if (word_hits or ratios) and len(out) > 1:
            out.sort(key=lambda c: (c[0], -c[1]))
        return out

    def _plain_number_word(self, start: int, end: int) -> int | None:
        """``number_word_re``'s match at the number word hit [start, end) of plain ASCII text, where no article
        opens it, when plain tests can tell: ``end`` when it is the word alone, 0 when there is none, None
        when only the pattern can tell.

        Its match opens with one of its number words (or "a" and whitespace), which goes on with whitespace,
        a hyphen or a word boundary: at a hit that is a run of letters between word boundaries but no number
        word ("half", "million", "tenth") it has none. A number word is the match alone when followed by
        nothing it can go on with: every way it goes on ("forty-two", "two hundred", "hundred and five",
        "three million") opens with a hyphen or whitespace, and after whitespace with one of
        :attr:`_Rules.number_word_sequels` (the pattern puts no word boundary inside them: "ten" goes on in
        "two tenants", though it fails there and the match falls back to the word alone)."""
        r = self.r
        text = self.text
        word = text[start:end].lower()
        if word not in r.lone_number_words:
            return 0 if r.lone_number_words and word != "a" else None  # (an "a" could open "a dozen")
        nxt = text[end:end + 1]
        if nxt == "-":
            return None
        if not nxt.isspace():
            return end  # ("" at the end of the text too)
        j = end + 1
        while text[j:j + 1].isspace():
            j += 1
        return None if text[j:j + r.number_word_sequel_len].lower().startswith(r.number_word_sequels) else end

    # ---------------------------------------------------------------- main loop
    def scan(self, digit_hits: list[tuple[int, int]], word_hits: list[tuple[int, int]]) -> list[_Figure]:
        figures: list[_Figure] = []
        consumed_to = -1
        for start, end, value, what in self.cores(digit_hits, word_hits):
            if start < consumed_to:
                continue
            if what == "fraction":
                fig = self._fraction(start, end)
            elif what == "ratio":
                fig = self._ratio(start, end)
            elif what == "slash":
                fig = self._slash_fraction(start, end)
            elif what:
                fig = self._word_figure(start, end, value)
            else:
                fig = self._digit_figure(start, end, value)
            # excluded: inside a reference (none known until they are looked up below) or never a figure
            if fig is None or (self.excluded and self._in_reference(fig.start, fig.end)) \
                    or self._never_figure(fig.start, fig.end):
                continue
            figures.append(fig)
            consumed_to = fig.end
        if figures:  # references are costlier than the figures: look them up only when needed
            before = len(self.excluded)
            self._exclusions_from_references(figures)
            if len(self.excluded) > before:  # (no figure kept is a phone number or date: that was tested)
                figures = [f for f in figures if not self._in_reference(f.start, f.end)]
        return figures

    # ---------------------------------------------------------------- helpers
    def _prev_char(self, i: int) -> str:
        return self.text[i - 1] if i > 0 else " "  # a space at the edges: never "in" a set of marks

    def _next_char(self, i: int) -> str:
        return self.text[i] if i < len(self.text) else " "

    def _before(self, i: int, n: int = 60) -> str:
        return self.text[i - n if i > n else 0:i]

    def _next_word(self, i: int) -> str:
        word = self.next_words.get(i)
        if word is None:  # (once per position: some tests read it two or three times)
            m = self.fwd.next_word_re.match(self.text, i, i + 40)
            word = self.next_words[i] = m.group(1).lower() if m else ""
        return word

    def _prev_word(self, i: int) -> str:
        before = self._before(i, 40)
        if self.plain:
            # (plain ASCII: the pattern's match read by two rstrip calls, the whitespace at the end and then the
            # run of [\w'.-] before it, as _word_before reads its word)
            before = before.rstrip(_ASCII_SPACE)
            return before[len(before.rstrip(_PREV_WORD_CHARS)):].lower()
        m = _at_end(_re(r"(?r)([\w'’.-]+)\s*$"), before)
        return m.group(1).lower() if m else ""

    # ---------------------------------------------------------------- trap tests on a digit core
    def _digit_trap(self, start: int, end: int, after_separator: bool = False) -> bool:
        text = self.text
        # (a space at the edges, as _prev_char and _next_char give)
        prev = text[start - 1] if start > 0 else " "
        nxt = text[end] if end < len(text) else " "
        if prev == " " and nxt == " ":
            # most numbers: a space on either side, where of the tests of _trap_between only a section
            # number opening a heading and the digits after a phone number's "+" can hold (tested alike)
            # (the "+" _after_phone_plus looks for first, tested here: most numbers follow none)
            return not after_separator and (
                ("." in text[start:end] and self._section_number(text[text.rfind("\n", 0, start) + 1:start], end))
                or ("+" in text[start - 4 if start > 4 else 0:start] and self._after_phone_plus(start, end)))
        return self._trap_between(start, end, prev, nxt, after_separator)

    def _trap_between(self, start: int, end: int, prev: str, nxt: str, after_separator: bool) -> bool:
        """:meth:`_digit_trap` of the digits at [start, end), between the characters ``prev`` and ``nxt``."""
        text = self.text
        if after_separator:  # the second number of "15-20": the hyphen before it is the range's
            prev = " "
        # glued to letters before: CoP19, OP4, Res040, FY2022, GUID pieces (currency symbols excepted)
        if prev.isalpha() and not self._ends(self.r.currency_before_re, self.r.currency_end, start, 5):
            return True
        if prev in "#§" or (prev == "-" and start >= 2 and text[start - 2].isalnum()):
            return True
        # ordinals: 5th, 1st, 22nd (the first test spares the pattern: "ſt" is an "st" to (?i))
        if nxt in "sSnNrRtTſ" and _re(r"(?i)(?:st|nd|rd|th)\b").match(text[end:end + 3]):
            return True
        # times, ratios, dates, ids: 11:05, 09/30/2022, C/94/17, 2019/20, 1.2.3, 6.049.1
        if nxt in ":/\\" and self._next_char(end + 1).isdigit():
            return True
        if nxt == "." and self._next_char(end + 1).isdigit():
            return True
        if prev == "." and start >= 2 and text[start - 2].isdigit():
            return True
        # glued to letters after (GUIDs, codes such as 3f2a): allowed only for units/scales handled later
        if nxt.isalpha():
            glued = _re(r"[A-Za-z²]+").match(text[end:end + 12])
            if glued is None:  # a letter outside English glued on: "5ª", "12é": an ordinal or a code
                return True
            tail = glued.group()
            low = tail.lower()
            if not (low in self.lx.scales or tail in self.lx.glued_scales or low in self.r.unit_forms
                    or low in self.r.currency_forms or (low[:1] in "km" and text[end + 1:end + 2] == "€")
                    or low in ("am", "pm", "h", "hrs", "hr", "pm.", "am.")):
                return True
        if after_separator:
            return False
        # list markers: "1)", "2." at a line start or after a colon, "(3)"
        line_start = text.rfind("\n", 0, start) + 1
        head = text[line_start:start]
        if nxt == ")" and head.rfind("(") <= head.rfind(")"):
            return True  # "1) training 2) outreach": a ")" closing no "(" marks a list item
        if nxt == "." and not head.strip() and _re(r"\.\s+\S").match(text[end:end + 3]):
            return True
        if "." in text[start:end] and self._section_number(head, end):
            return True
        if nxt == ")" and prev == "(" and _re(r"\)\s+[A-Za-z]").match(text[end:end + 3]):
            return True
        # phone numbers: +41 22 ..., (022) 999-0000
        if self._after_phone_plus(start, end):
            return True
        # (nxt, the first character of text[end:], is no ")" here: of the two tests after the pattern only
        # the "(+" before can hold, and it is the cheapest, so it goes first)
        if prev in "(+" and (nxt in "-." or nxt.isspace()) and \
                _re(r"[\s\-.]\d{2,4}[\s\-.]\d{3,4}\b").match(text[end:end + 11]):
            return True
        if prev == "(" and nxt == ")" and _re(r"\)\s*\d").match(text[end:end + 3]):
            return True
        return False

    def _section_number(self, head: str, end: int) -> bool:
        """'1.2 Training of teachers': a number (with a point) ending at ``end`` after nothing but the
        whitespace ``head`` on its line, before a capitalised word that is no unit, currency or scale."""
        return not head.strip() and _re(r"[ \t]+[A-Z][a-z]").match(self.text, end) is not None and \
            self._next_word(end) not in self.r.unit_forms and self._next_word(end) not in self.r.currency_forms \
            and self._next_word(end) not in self.lx.scales

    def _after_phone_plus(self, start: int, end: int) -> bool:
        """Phone numbers: "+41 22 ...": the digits at [start, end) follow a "+" and go on."""
        text = self.text
        before = text[start - 4 if start > 4 else 0:start]
        return "+" in before and _re(r"\+\s?\d*\s?$").search(before) is not None \
            and _re(r"[\s\-]\d").match(text[end:end + 2]) is not None

    def _reference_trap(self, fig: _Figure) -> bool:
        """'Target 12', 'section 4.2', 'Sites 1 to 4': a number after a reference word, unless it has a
        unit ('the plan targets 30% protection')."""
        return fig.unit is None and bool(
            self._ends(self.r.reference_before_re, self.r.reference_end, fig.start, 50))

    def _quiet_before(self, start: int) -> bool:
        """No end guard of the tests before a figure at ``start`` (:attr:`_Rules.before_end`: the context
        traps', the reference trap's, the growth to the left's) may end the windows they read there (plain
        ASCII text only): then none of those tests need be tried.

        Read once from the tail of the widest window, in what every guard reads alike whatever the window:
        its last character is no mark of theirs, and either no full stop after no word, or a word of none of
        theirs (nor a suffix of theirs glued to a number) that the narrower window still holds whole (its cut
        could leave another word: "...xabout" cut to "about")."""
        tail = self._tail_at(start, _WIDEST_WINDOW)
        if tail is None:  # (nothing but whitespace: nor in the narrower window)
            return True
        last, word, glued, s = tail
        guard = self.r.before_end
        if last in guard.marks:
            return False
        if not word:
            return last != "."  # (after a full stop the letters before it are read, cut or not)
        cut = (_WIDEST_WINDOW if start > _WIDEST_WINDOW else start) - (_LEFT_WINDOW if start > _LEFT_WINDOW else start)
        return word not in guard.words and not (glued and word.endswith(guard.suffixes)) and len(word) < len(s) - cut

    def _context_trap(self, start: int, end: int, is_words: bool, quiet_before: bool = False) -> bool:
        """Traps that depend on the words around: dates, denominators, multipliers, score scales.
        ``quiet_before``: :meth:`_quiet_before` holds at ``start`` (no test before the figure can match)."""
        # dates: "30 September 2022", "September 30, 2022", "May 2021"
        r = self.r
        if self.plain and (quiet_before or not r.context_end.may_end_tail(self._tail_at(start, 50))):
            # no month, denominator or "out of" can end the text before: only the tests after remain
            if self.text[end:end + 1] not in r.context_after_openers or self._plain_word_after(
                    end, r.context_after_words, r.context_after_prefixes):
                return False  # and what follows is nothing they can read
            return self.fwd.month_after_re.match(self.text, end) is not None \
                or self.fwd.multiplier_after_re.match(self.text, end) is not None
        if self.fwd.month_after_re.match(self.text, end) or self._ends(r.month_before_re, r.month_end, start, 50):
            return True
        # denominators and multipliers: "per 100 km²", "out of 100", "by a factor of 3", "3 times"
        if self._ends(r.denominator_before_re, r.denominator_end, start, 50) \
                or self.fwd.multiplier_after_re.match(self.text, end):
            return True
        if self._ends(r.out_of_before_re, r.out_of_end, start, 50) and _re(r"(?:10|100|1000|five|ten)\b").match(
                self.text[start:end]) and (self._next_word(end) in self.lx.function_words
                                           or not self._next_word(end).isalpha() or self._next_word(end) == "points"):
            return True  # "58 out of 100": the top of a score scale ("9 out of 10 visitors" counts visitors)
        return False

    def _compound_adjective(self, end: int) -> bool:
        """'a 10-year strategy', 'a three-day workshop': number-hyphen-word (unless a unit)."""
        if self.text[end:end + 1] != "-":
            return False  # (what the pattern below opens with: most numbers are followed by a space)
        m = _re(r"-([A-Za-z]+)").match(self.text[end:end + 30])
        if not m:
            return False
        word = m.group(1).lower()
        if word in self.r.unit_forms:
            # "a 40-metre section", "8-km stretch": a unit used as an adjective before a noun
            nxt = self._next_word(end + m.end())
            return bool(nxt) and nxt[0].isalpha() and nxt not in self.lx.function_words
        if word in self.lx.scales or word in self.lx.number_units or word in self.lx.number_tens \
                or word in ("and", "to"):
            return False
        return True

    # ---------------------------------------------------------------- figures
    def _digit_figure(self, start: int, end: int, value: float) -> _Figure | None:
        text = self.text
        if self._digit_trap(start, end):
            return None
        # (plain text: most figures follow a word that no test before them reads, found once for them all)
        quiet_before = self.plain and self._quiet_before(start)
        if self._context_trap(start, end, False, quiet_before):
            return None
        fig = _Figure(start, end, value)
        core = text[start:end]
        fig.is_year_like = _is_year(core)
        # (a compound adjective and grouping dots need a "-" after and a "." inside: tested first, cheaply)
        if text[end:end + 1] == "-" and self._compound_adjective(end) and not _re(r"-\s*\d").match(text[end:end + 3]):
            return None
        self._grow_right(fig)
        if "." in core and _re(r"\d{1,3}(?:\.\d{3})+").fullmatch(core) and (fig.kind == "money" or core.count(".") > 1 or (
                fig.start > 3 and _at_end(self.r.currency_before_re, self._before(fig.start, 8)))):
            # "75.000 euros", "EUR 512.300": a dot groups thousands in money written the European way
            fig.value = fig.value / float(core) * float(core.replace(".", ""))
        if fig.value_max is not None and fig.is_year_like:
            return None  # "2021-2024"
        if fig.unit is None and fig.is_year_like and not fig.scaled and not self._year_like_count(fig):
            return None  # "in 2021"
        if not quiet_before:  # (the figure's start is still the core's)
            if self._reference_trap(fig):
                return None
            self._grow_left(fig)
        if self._alone_on_line(fig):
            return None
        return fig

    def _word_figure(self, start: int, end: int, value: float) -> _Figure | None:
        text = self.text
        words = text[start:end].lower()
        if self._context_trap(start, end, True):
            return None
        if words.split()[0].split("-")[0] in ("hundred", "thousand", "million", "billion", "dozen"):
            return None  # "several hundred", "dozens": no figure without a numeral or "a"
        if self._compound_adjective(end):
            return None
        if words == "zero" and not (self._next_word(end) and self._next_word(end).endswith("s")):
            return None  # "zero net loss" is a target name; "zero deaths" is a count
        if words == "one" and not self.fwd.one_of_figure_re.match(self.text[end:end + 40]):
            # "one of the", "no one", "one another", "on the one hand": a pronoun, not a figure
            # (but "one of the two funders" is one of a counted whole)
            if self._next_word(end) in self.lx.one_pronoun_next or self._prev_word(start) in self.lx.one_pronoun_prev:
                return None
        fig = _Figure(start, end, value, is_words=True)
        self._grow_right(fig)
        if self._reference_trap(fig):
            return None
        self._grow_left(fig)
        return fig

    def _fraction(self, start: int, end: int) -> _Figure | None:
        m = self.fwd.fraction_re.match(self.text, start)
        if not m or m.end() != end:
            return None
        num, den = m.group("num"), m.group("den").lower()
        nxt = self._next_word(end)
        prev = self._prev_word(start)
        if prev in ("first", "second", "third", "last", "latter", "final", "fourth", "next", "each", "every",
                    "per") or self._compound_adjective(end):
            return None
        if den in ("half", "halves"):
            numerator = 1.0 if num is None or num.lower() in ("a", "an", "one") else None
            if numerator is None:
                numerator = float(self.lx.number_units.get(num.lower(), 1))
            # "half a million" is a count, not a fraction
            m2 = _re(r"(?i)\s+(?:a|an)\s+(million|billion|thousand|dozen|hundred)\b").match(self.text[end:end + 20])
            if m2:
                mult = self.lx.number_multipliers[m2.group(1).lower()]
                fig = _Figure(start, end + m2.end(), 0.5 * mult * numerator, scaled=True)
                self._grow_right(fig)
                self._grow_left(fig)
                return fig
            if num is None and nxt not in ("of", "the", "its", "their", "our", "all", "these", "those"):
                if prev not in ("by", "than", "over", "nearly", "almost", "about", "around", "roughly",
                                "approximately", "some"):
                    return None
            value = numerator / 2
        else:
            if num is None:
                return None
            if den in ("third", "quarter", "fifth", "sixth", "tenth", "eighth") and num.lower() not in (
                    "a", "an", "one"):
                return None
            if den in ("third", "quarter", "fifth", "sixth", "tenth", "eighth") and nxt != "of" and prev not in (
                    "by", "about", "around", "nearly", "almost", "roughly", "approximately", "some", "than", "over"):
                return None
            numerator = 1.0 if num.lower() in ("a", "an", "one") else float(self.lx.number_units[num.lower()])
            value = numerator / self.lx.fractions[den]
        fig = _Figure(start, end, round(value, 4), unit="fraction", kind="other")
        self._grow_left(fig)
        return fig

    def _slash_fraction(self, start: int, end: int) -> _Figure | None:
        m = self.fwd.slash_fraction_re.match(self.text, start)
        a, b = float(m.group("a")), float(m.group("b"))
        if not 0 < a < b or self.fwd.month_after_re.match(self.text, end):
            return None  # "3/4 of May" is a date
        fig = _Figure(start, end, round(a / b, 4), unit="fraction", kind="other")
        self._grow_left(fig)
        return fig

    def _ratio(self, start: int, end: int) -> _Figure | None:
        """'1 in 4', 'one in ten posts': a fraction of what was counted before."""
        m = self.fwd.ratio_re.match(self.text, start)
        if not m or self._context_trap(start, end, False) or self._ends(
                self.r.reference_before_re, self.r.reference_end, start, 50):
            return None

        def num(s: str) -> float | None:
            s = s.lower()
            if s.isdigit():
                return float(s)
            if s == "a":
                return 1.0
            return float(self.lx.number_units.get(s) or self.lx.number_tens.get(s) or 0) or None

        a, b = num(m.group("a")), num(m.group("b"))
        if a is None or b is None or b <= a or self.fwd.year_re.fullmatch(m.group("b")):
            return None
        fig = _Figure(start, end, round(a / b, 4), unit="fraction", kind="other", ratio=True)
        self._grow_left(fig)
        return fig

    def _year_like_count(self, fig: _Figure) -> bool:
        """'Over 2000 people came' counts people; 'in 2019 rangers were trained' is a year."""
        nxt = self._next_word(fig.end)
        if not nxt.isalpha() or nxt in self.lx.time_units or nxt in self.lx.months or nxt in self.lx.function_words:
            return False
        plural = len(nxt) > 3 and nxt.endswith("s") and not nxt.endswith("ss") or nxt in self.lx.plural_nouns
        return plural and self._prev_word(fig.start) not in self.lx.year_prepositions

    def _alone_on_line(self, fig: _Figure) -> bool:
        """A bare integer alone on its line is a form field value (a page id), not a claim."""
        if fig.unit is not None or fig.bound != "=" or fig.scaled or fig.value_max is not None:
            return False
        text = self.text
        ls = text.rfind("\n", 0, fig.start) + 1
        le = text.find("\n", fig.end)
        le = len(text) if le < 0 else le
        return not text[ls:fig.start].strip() and not text[fig.end:le].strip()

    # ---------------------------------------------------------------- growing to the right
    def _scale(self, fig: _Figure, pos: int) -> int:
        text = self.text
        # (a glued scale opens with one of its forms' first letters: most figures are followed by a space)
        m = self.fwd.glued_scale_re.match(text, pos) \
            if not fig.is_words and (self.r.glued_scale_initials is None
                                     or text[pos:pos + 1] in self.r.glued_scale_initials) else None
        if m:
            w = m.group("w")
            if w in ("m", "M"):
                fig.glued_m = True
            fig.value *= self.lx.glued_scales[w]
            fig.scaled = True
            return m.end()
        m = self.fwd.scale_after_re.match(text, pos)
        if m:
            w = m.group("w").lower()
            if w == "k" and not text[m.start("w") - 1:m.start("w")].isdigit() and self._next_char(m.end()) != "€":
                return pos
            if w in ("million", "billion", "thousand", "trillion") and fig.is_words and w in text[fig.start:pos].lower():
                return pos
            fig.value *= self.lx.scales[w]
            fig.scaled = True
            return m.end()
        return pos

    def _grow_right(self, fig: _Figure) -> None:
        text = self.text
        openers = self.r.right_openers
        if self.plain and openers is not None and not fig.glued_m and text[fig.end:fig.end + 1] not in openers:
            return  # "12.", "3)": no scale, currency, range, unit or bound can follow ("" at the end either)
        if self.plain and fig.unit is None and not fig.glued_m and self._plain_word_after(fig.end):
            return  # "120 rangers": no scale, currency, range, unit or bound can follow
        pos = self._scale(fig, fig.end)
        # currency after: "75,000 CHF", "125 k€", "130 million euros"
        pos = self._currency_after(fig, pos)
        no_currency_at = pos if fig.unit is None else -1  # tried there and found none
        # range: "15-20", "15 to 20", "between 15 and 20"
        m = self.fwd.range_sep_re.match(text, pos)
        if m:
            sep = m.group().strip().lower()
            before = self._before(fig.start, 20)
            is_range = True
            if sep == "and" and not self.r.between_re.search(before):
                is_range = False  # "15 and 20" is a range only after "between"
            elif sep == "to" and self.r.from_re.search(before) and self.r.change_before_re.search(
                    self._before(fig.start, 60)):
                is_range = False  # "rose from 212 to 74" reports a change: two figures, not a range
            if is_range:
                second = self._second_number(m.end(), fig)
                if second is not None:
                    val, send, second_fig = second
                    if sep in ("-", "–", "—") and fig.is_year_like and second_fig.is_year_like:
                        fig.value_max = val
                        fig.end = send
                        return
                    low = fig.value * (second_fig.scale_mult if second_fig.scaled and not fig.scaled else 1)
                    if second_fig.value > low:  # "€2.3m to 14 grantees" is no range
                        fig.value = low  # "15-20 million": the scale covers both ends
                        fig.value_max = second_fig.value
                        if second_fig.unit and not fig.unit:
                            fig.unit, fig.kind = second_fig.unit, second_fig.kind
                        fig.end = send
                        pos = send
                        fig.scaled = fig.scaled or second_fig.scaled
        if fig.unit is None:
            pos = self._unit_after(fig, pos)
        if fig.unit is None and not fig.glued_m and pos != no_currency_at:
            pos = self._currency_after(fig, pos)
        if pos > fig.end:
            fig.end = pos
        # "500+ members", "200 or more"
        m = self.fwd.bound_after_re.match(text, fig.end)
        if m and fig.bound == "=":
            form = _one_space(m.group("b").strip().lower())
            fig.bound = self.r.suffix_forms.get(form, fig.bound)
            fig.end = m.end()

    def _second_number(self, pos: int, first: _Figure):
        text = self.text
        cur = _re(r"(?:[€$£]|(?:EUR|USD|CHF|GBP|US\$)\s?)").match(text, pos) if (
            first.kind == "money"
            or self._ends(self.r.currency_before_re, self.r.currency_end, first.start, 6)) else None
        if cur:  # "€5,000-€10,000": the currency repeated on the upper end
            pos = cur.end()
        m = self.fwd.second_digit_re.match(text, pos)
        if m and not first.is_words:
            val = _parse_digits(m.group())
            second = _Figure(m.start(), m.end(), val)
            second.is_year_like = bool(self.fwd.year_re.fullmatch(m.group()))
            if self._digit_trap(m.start(), m.end(), after_separator=True) and not first.is_year_like:
                return None
            before = second.value
            p = self._scale(second, m.end())
            second.scale_mult = second.value / before if before else 1.0
            p = self._currency_after(second, p)
            if second.unit is None:
                p = self._unit_after(second, p)
            return val, p, second
        m = self.r.number_word_re.match(text, pos) if first.is_words else None  # (only read after words)
        if m:
            val = _parse_number_words(m.group(), self.lx)
            if val is None:
                return None
            second = _Figure(m.start(), m.end(), val, is_words=True)
            return val, m.end(), second
        return None

    def _plain_word_after(self, end: int, words: frozenset[str] | None = None, prefixes: tuple[str, ...] = ()) -> bool:
        """One space and a word at ``end`` that none of the patterns growing a figure to the right can
        read (:attr:`_Rules.right_words`): then none of them matches there (plain ASCII text only).

        ``words`` and ``prefixes`` given: the same test for other patterns (whose first run of letters
        after one space is one of ``words`` or opens with one of ``prefixes``)."""
        word = self.words_after.get(end, False)
        if word is False:  # (once per position: the traps and the growth to the right read the same word)
            run = _ASCII_WORD.match(self.text, end + 1) if self.text[end:end + 1] == " " else None
            word = self.words_after[end] = run.group().lower() if run else None
        if word is None:
            return False
        if words is None:
            words, prefixes = self.r.right_words, self.r.range_words
        return word not in words and not word.startswith(prefixes)

    def _currency_after(self, fig: _Figure, pos: int) -> int:
        if fig.unit is not None:
            return pos
        m = self.fwd.currency_after_re.match(self.text, pos)
        if not m:
            return pos
        form = m.group("c").lower()
        if form in ("cop", "rand", "francs", "dollar", "php") and m.group("k") is None:
            # words that are also other things: "CoP", "PHP"; only as written in capitals or after money scale
            if m.group("c") not in ("COP", "PHP") and form not in ("francs", "dollar"):
                return pos
            if form in ("cop", "php"):
                return pos
        if m.group("k"):
            fig.value *= 1e3 if m.group("k") in "kK" else 1e6
            fig.scaled = True
        fig.unit = self.r.currency_forms[form]
        fig.kind = "money"
        return m.end()

    def _unit_after(self, fig: _Figure, pos: int) -> int:
        text = self.text
        m = self.fwd.unit_after_re.match(text, pos)
        if not m:
            if fig.glued_m and fig.unit is None:
                # "1.75m": millions, unless a length context follows ("a 200m buffer")
                nxt = self._next_word(pos)
                if nxt in self.lx.length_context or nxt == "":
                    if not (_re(r"\.\d").search(text[fig.start:pos])):
                        fig.value /= 1e6
                        fig.unit, fig.kind = "m", "length"
            return pos
        form = m.group("u").lower()
        unit, kind = self.r.unit_forms[_one_space(form)]
        if m.group("u") in ("m", "t") and text[m.start("u") - 1:m.start("u")] == "-":
            return pos
        if form == "has" and text[m.start("u") - 1:m.start("u")] == " ":
            return pos  # "3 has been" is a verb, "3 has" is rare as hectares
        if form == "k":
            return pos
        fig.unit, fig.kind = unit, kind
        return m.end()

    # ---------------------------------------------------------------- growing to the left
    def _grow_left(self, fig: _Figure) -> None:
        text = self.text
        if self.plain and not self.r.left_end.may_end_tail(self._tail_at(fig.start, _LEFT_WINDOW)):
            return  # no label, currency, bound or filler can end the text before: nothing to take in
        if fig.unit is None:
            # a form label that names the unit: "Budget (EUR): 12,000", "Area restored (ha): 350"
            m = self._ends(self.r.label_unit_re, self.r.label_end, fig.start, 40)
            if m:
                form = m.group("u").lower()
                if form in self.r.currency_forms:
                    fig.unit, fig.kind = self.r.currency_forms[form], "money"
                elif form in self.r.unit_forms:
                    fig.unit, fig.kind = self.r.unit_forms[form]
        if fig.unit is None or fig.kind != "money":
            m = self._ends(self.r.currency_before_re, self.r.currency_end, fig.start, 40)
            if m:
                form = _one_space(m.group().strip().rstrip(".").lower())
                code = self.r.currency_forms.get(form) or self.r.currency_forms.get(form + ".")
                if code and not (form in ("cop", "php") or (form == "$" and text[fig.start - 2:fig.start - 1].isalpha())):
                    if fig.unit in (None, "m"):
                        if fig.unit == "m":  # "EUR 1.2m" / "€1.2 m": million, not metres
                            fig.value *= 1e6
                        fig.unit, fig.kind = code, "money"
                        fig.start -= len(m.group())
        if fig.value_max is not None:
            m = self._ends(self.r.between_re, self.r.between_end, fig.start, 40)
            if m:
                fig.start -= len(m.group())
                return
        m = self._ends(self.r.bound_before_re, self.r.bound_end, fig.start, 40)
        if m:
            form = _one_space(m.group("b").lower())
            bound = self.r.bound_forms.get(form)
            if form == "over" and self._prev_word(fig.start - len(m.group())) in self.lx.over_particle_verbs:
                bound = None  # "handed over 140 sets": a particle, not a bound
            if bound and not (form in ("some",) and fig.value_max is not None):
                fig.bound = bound if fig.value_max is None or bound in ("~",) else fig.bound
                fig.start -= len(m.group())
                return
        m = self._ends(self.r.filler_before_re, self.r.filler_end, fig.start, 40)
        if m and not fig.is_words and "the" not in m.group().lower().split():
            fig.start -= len(m.group())


# ----------------------------------------------------------------------------------------- noun phrase
def _has_letter(token: str) -> bool:
    return token.isalpha() or any(ch.isalpha() for ch in token)  # most tokens are words: str.isalpha first


_NOT_PLURAL_BEFORE_S = frozenset("sui'’")  # "-ss", "-us", "-is", "'s", "’s": no plural (_Phrase.is_plural)
_TOKEN_START = itemgetter(0)  # the start of a token (start, end, text)


class _Phrase:
    """Counted noun phrase, head and verb from the tokens around a figure."""

    def __init__(self, scanner: _Scanner, words: list[tuple[int, int, str]]) -> None:
        self.s = scanner
        self.lx = scanner.lx
        self.words = words  # (start, end, text) of every token

    def number_of_before(self, char: int, sent_start: int) -> str | None:
        """'The number of elephant deaths ... fell to 3': the head after 'number of'."""
        found = list(_re(r"(?i)\b(?:number|numbers|count|total)\s+of\s+(?:the\s+)?").finditer(self.s.text[sent_start:char]))
        if not found:
            return None
        m = found[-1]
        i = self._index_at(sent_start + m.end())
        run = self.noun_run(i, self._index_at(char))
        return self.words[run[1]][2].lower() if run else None

    def plural_before(self, char: int, sent_start: int, taken: list[tuple[int, int]]) -> str | None:
        """The nearest plural-looking noun before ``char`` in the sentence, outside other figures."""
        j = self._index_at(char) - 1
        while j >= 0 and self.words[j][0] >= sent_start:
            s, e, t = self.words[j]
            low = t.lower()
            if t.isalpha() and low not in self.lx.function_words and self.is_plural(low) and \
                    low not in self.lx.time_units and not any(a <= s < b for a, b in taken) and \
                    not self._is_verb_form(low):
                return low
            j -= 1
        return None

    def _index_at(self, char: int) -> int:
        # (the tokens' starts read where the search looks, not listed for every token: a few per figure)
        return bisect.bisect_left(self.words, char, key=_TOKEN_START)

    def _index_from(self, i: int, char: int) -> int:
        """``_index_at(char)``, found by stepping on from ``i``, an index at or before it: a figure's end is a
        token or two after its start (cheaper than a second search)."""
        words = self.words
        n = len(words)
        while i < n and words[i][0] < char:
            i += 1
        return i

    def _is_participle(self, low: str) -> bool:
        if low in self.lx.irregular_participles:
            return True
        return len(low) > 4 and low[-2:] == "ed" and low not in self.lx.not_participles

    def _is_verb_form(self, low: str) -> bool:
        if self._is_participle(low) or low in self.lx.verbs:
            return True
        # ("-s", "-es" forms of the verbs: suffixes compared as slices, cheaper than str.endswith calls)
        return (low[-1:] == "s" and low[:-1] in self.lx.verbs) or (low[-2:] == "es" and low[:-2] in self.lx.verbs)

    def _joined(self, i: int) -> bool:
        """Token i is a hyphen glued on both sides: 'wildlife-friendly'."""
        s, e, t = self.words[i]
        return t in _HYPHENS and i > 0 and i + 1 < len(self.words) and \
            self.words[i - 1][1] == s and self.words[i + 1][0] == e

    def is_plural(self, low: str) -> bool:
        """A plural-looking noun: after one, an English noun phrase has ended ('companies', 'people')."""
        if low in self.lx.plural_nouns:
            return True
        if low in self.lx.plural_premodifiers:
            return False
        # (not ending in "ss", "us", "is", "ics", "'s" or "’s"; suffixes compared as characters and slices)
        return len(low) > 3 and low[-1] == "s" and low[-2] not in _NOT_PLURAL_BEFORE_S and low[-3:] != "ics"

    def _modifies_next(self, i: int, limit: int) -> bool:
        """Token i is followed by a word that can continue the phrase ('marine protected areas')."""
        if i + 1 >= limit:
            return False
        nxt = self.words[i + 1][2].lower()
        return _has_letter(nxt) and nxt not in self.lx.function_words

    def noun_run(self, i: int, limit: int):
        """Words from token i forming a simple noun phrase; returns (first, last) token indices or None.

        Without a POS tagger the phrase ends at a function word or punctuation, after a plural-looking
        noun (the head: 'technology companies'), or at a word that reads as a verb or adverb.
        """
        words = self.words
        lx = self.lx
        function_words, past_tense, ing_nouns = lx.function_words, lx.past_tense, lx.ing_nouns
        first = i
        last = None
        last_low = ""  # words[last] lower-cased
        n = 0
        glued = False  # the previous token was a hyphen inside a word: take the next one as it is
        while i < limit and n < 6:
            t = words[i][2]
            low = t.lower()
            # (_joined holds of hyphens only: the cheap test first)
            if last is not None and t in _HYPHENS and self._joined(i):
                i += 1
                glued = True
                continue
            if last is not None and low in {"'", "’", "'s", "’s"} and words[i][0] == words[i - 1][1]:
                i += 1  # possessive: "prosecutors' networks", "women's groups"
                glued = True
                continue
            if not t.isalpha() and not _has_letter(t):  # (most tokens are words: no call)
                break
            hyphen_next = i + 1 < limit and words[i + 1][2] in _HYPHENS and self._joined(i + 1)
            if not glued and last is not None and self.is_plural(last_low) and not (
                    last_low in lx.plural_nouns and self.is_plural(low) and low not in lx.plural_nouns):
                break  # a plural ends the phrase, but "fish passes", "youth leaders" go on
            if not glued and not hyphen_next:
                if low in function_words:
                    if not (last is None and low in lx.count_premodifiers and self._modifies_next(i, limit)
                            and words[i + 1][2].lower() != "than"):
                        break
                participle = self._is_participle(low)
                verbish = low in past_tense or participle or (low[-3:] == "ing" and low not in ing_nouns)
                if last is None:
                    if verbish and i + 2 < limit and words[i + 1][2].lower() in {"or", "and"} and \
                            self._is_participle(words[i + 2][2].lower()) and self._modifies_next(i + 2, limit):
                        i += 2  # "176 injured or confiscated animals"
                        n += 1
                        last = i
                        last_low = words[i][2].lower()
                        i += 1
                        continue
                    if verbish and not self._modifies_next(i, limit):
                        break  # "31 said they ...": a verb, no noun
                else:
                    if low in past_tense or (low[-2:] == "ly" and len(low) > 4):
                        break
                    if low[-3:] == "ing" and low not in ing_nouns and not (
                            self._modifies_next(i, limit) and self.is_plural(words[i + 1][2].lower())):
                        break  # "coastline using sonar" ends; "turtle nesting beaches" goes on
                    if participle and not self._modifies_next(i, limit):
                        break
            glued = False
            last = i
            last_low = low
            n += 1
            i += 1
        if last is None:
            return None
        return first, last

    def postmodifier(self, i: int, limit: int) -> int:
        """End index of an '-ing' or 'of' postmodifier starting at token i ('advertising wildlife or ...')."""
        j = i
        n = 0
        while j < limit and n < 8:
            t = self.words[j][2]
            low = t.lower()
            if t in _HYPHENS and self._joined(j):
                j += 1
                continue
            if not _has_letter(t):
                break
            if low in {"have", "has", "had", "were", "was", "are", "is", "been", "will", "which", "that", "who",
                       "including", "in", "with", "by", "to", "for", "from", "through", "since", "at", "on"}:
                break
            if n > 0 and (self._is_participle(low) or low[-2:] == "ly"):
                break
            j += 1
            n += 1
        return j

    def analyse(self, fig: _Figure, sent_start: int, sent_end: int):
        words = self.words
        first_at = self._index_at(fig.start)
        i = self._index_from(first_at, fig.end)
        limit = self._index_at(sent_end)
        counted = head = None
        counted_end = fig.end
        after = i
        nxt = (words[i][2].lower() if i < limit else "")
        if (fig.unit is not None and fig.kind != "money") and not fig.ratio:
            # measures and fractions count what follows "of": "3,400 ha of degraded forest"
            if nxt == "of":
                j = i + 1
                if j < limit and words[j][2].lower() in {"the", "its", "their", "our", "all", "these", "those",
                                                         "this", "that", "his", "her", "it", "them"}:
                    j += 1
                run = self.noun_run(j, limit)
                if run:
                    head = words[run[1]][2].lower()
                    counted_end = words[run[1]][1]
                    counted = self.s.text[words[run[0]][0]:counted_end]
                    after = run[1] + 1
        elif fig.kind == "count" or fig.ratio:
            j = i
            if nxt == "of" and j + 1 < limit and words[j + 1][2].lower() in {"them", "which", "whom", "these",
                                                                               "those", "us", "it"}:
                j = limit  # "9 of them", "210 of which": the noun is the antecedent's
            elif nxt == "of" and j + 1 < limit and words[j + 1][2].lower() in {"the", "its", "their", "our", "all"}:
                j += 2
            elif nxt == "of" and fig.scaled:
                j += 1
            elif nxt in _QUOTES and j + 1 < limit and words[j + 1][0] == words[j][1]:
                j += 1  # '12 “judges”': the quotes around the counted noun are no boundary
            run = self.noun_run(j, limit)
            if run and fig.value != 1 and not self.is_plural(words[run[1]][2].lower()) and run[1] + 2 < limit \
                    and words[run[1] + 1][2].lower() in {"and", "or"}:
                # "60 wildlife and customs officers": coordinated premodifiers share the plural head after them
                other = self.noun_run(run[1] + 2, limit)
                if other and self.is_plural(words[other[1]][2].lower()):
                    run = (run[0], other[1])
            if run:
                first, last = run
                head = words[last][2].lower()
                counted_end = words[last][1]
                end_idx = last + 1
                if end_idx < limit:
                    low = words[end_idx][2].lower()
                    if low[-3:] == "ing" and low not in self.lx.ing_nouns and low not in self.lx.function_words \
                            and low not in {"during", "including", "regarding", "concerning", "following"}:
                        post = self.postmodifier(end_idx, limit)
                        if post > end_idx + 1:  # keep "-ing" only with an object: "posts advertising wildlife"
                            end_idx = post
                    elif low == "of" and end_idx + 1 < limit:
                        run2 = self.noun_run(end_idx + 1, limit)
                        if run2:
                            end_idx = run2[1] + 1
                counted = self.s.text[words[first][0]:words[end_idx - 1][1]]
                if j > i and end_idx < limit and words[end_idx][2] in _QUOTES \
                        and words[end_idx][0] == words[end_idx - 1][1]:
                    counted_end = words[end_idx][1]  # the figure's text keeps the closing quote
                    end_idx += 1
                after = end_idx
        verb = self.verb_after(after, limit) or self.verb_before(first_at, sent_start)
        return counted, head, counted_end, verb

    def verb_after(self, i: int, limit: int) -> tuple[str, int] | None:
        words = self.words
        aux, modals = self.lx.auxiliaries, self.lx.modals
        j = i
        steps = 0
        modal = False
        while j < limit:
            low = words[j][2].lower()  # (read once: the word after the auxiliaries is the verb tested below)
            if low not in aux or steps >= 6:
                break
            if low == "to" and (j == i or words[j - 1][2].lower() not in {"is", "are", "was", "were"}):
                return None  # "officers to identify scales": a purpose, not the figure's action
            modal = modal or low in modals
            j += 1
            steps += 1
        if j >= limit:
            return None
        # after "will", "can", "to": a base form from the verb lexicon ("12 municipalities will adopt")
        if not (self._is_participle(low) or (modal and low in self.lx.verbs)):
            return None
        first = j
        last = j
        k = j + 1
        while k + 1 < limit and words[k][2].lower() in {"or", "and", ","} and self._is_participle(words[k + 1][2].lower()):
            last = k + 1
            k += 2
        return self.s.text[words[first][0]:words[last][1]], words[first][0]

    def verb_before(self, i: int, sent_start: int) -> tuple[str, int] | None:
        words = self.words
        skip = self.lx.before_verb_skip
        j = i - 1
        steps = 0
        while j >= 0 and words[j][0] >= sent_start and steps < 6:
            low = words[j][2].lower()
            if low in {"by", "to", "from"} and j > 0 and words[j - 1][0] >= sent_start \
                    and words[j - 1][2].lower() in self.lx.change_verbs and words[j - 1][2].lower() not in {"up", "down"}:
                return words[j - 1][2], words[j - 1][0]  # "Seizures fell by 30 percent", "rose to 41"
            if low in skip or low in self.s.r.currency_forms:
                j -= 1
                steps += 1
                continue
            word = words[j][2]
            # (a capital after the first letter, or no glued label can be there)
            glued = _re(r"(?<=[a-z])(?=[A-Z][a-z]+$)").search(word) if word[1:] != word[1:].lower() else None
            if glued:  # "Capacity-buildingTrained": an activity label glued to the verb in flattened tables
                tail = words[j][2][glued.start():]
                if self._is_verb_form(tail.lower()):
                    return tail, words[j][0] + glued.start()
            elif self._is_verb_form(low):
                return words[j][2], words[j][0]
            return None
        return None


# ----------------------------------------------------------------------------------------- modality
def _modality(scanner: _Scanner, fig_start: int, fig_end: int, verb: str | None, sent_start: int, sent_end: int,
              verb_pos: int | None, context: str | None = None) -> str:
    text = scanner.text
    r = scanner.r
    lx = scanner.lx
    sent = text[sent_start:sent_end]
    rel = fig_start - sent_start
    plain = scanner.plain or _plain_ascii(sent)  # which of each (regex, plain re) pair to use
    if verb is not None and verb_pos is not None:
        lo = verb_pos - 30 if verb_pos - 30 > sent_start else sent_start
        window = text[lo:verb_pos].lower()
        m = _at_end(r.modal_before_re, window) if _may_hold_modal(window) else None
        if m and not fig_start <= lo + m.start() < fig_end:  # not the bound's "to": "Up to 40 volunteers helped"
            return "planned"
        low = verb.lower()
        first_word = low.split()[0]
        if first_word in lx.planned_participles:
            return "planned"
        if (low[-2:] == "ed" or first_word in lx.irregular_participles or first_word in lx.simple_past) \
                and not (verb_pos >= fig_end and _opens_with_plan(sent, r, plain)
                         and not _re(r"(?i)\b(?:has|have|had|was|were|been|is|are)\b").search(text, fig_end, verb_pos)):
            # the figure's own verb is in the past: "trained 300 ... and will train 200"; but after an
            # imperative a bare participle is a reduced relative: "Build 12 parks chosen with residents"
            return "achieved"
    key = (sent_start, sent_end)
    planned = scanner.planned_at.get(key)
    if planned is None:  # once per sentence, however many figures it holds
        after_re = r.planned_after_re if "'" in sent else r.planned_unquoted_after_re
        planned = scanner.planned_at[key] = _marker_starts(sent, r, plain, r.planned_lower_re, after_re,
                                                           r.planned_res)
        if _opens_with_plan(sent, r, plain):
            planned.insert(0, 0)  # "Seek EUR 1.2 million ...": an imperative plans the whole sentence
    if verb and verb[-2:].lower() == "ed" and not planned:
        return "achieved"
    # (most sentences hold no marker: an empty list needs no generator)
    before_p = max([p for p in planned if p < rel], default=None) if planned else None
    if context == "future":
        # a plan section: planned unless the sentence says in past or perfect tense that it was done
        # ("IFAW completed a review of 12 laws", "40 volunteers have been trained"), a slip the checks catch
        before_a = max((m.start() for m in r.future_achieved_res[plain].finditer(sent, 0, rel)), default=None)
        if before_a is not None and (before_p is None or before_a > before_p):
            return "achieved"
        if verb is None and before_p is None and _past_after_subject(sent[:rel], r, plain):
            return "achieved"
        return "planned"
    if not planned:
        return "achieved"  # nothing in the sentence plans the figure (its achieved markers could only agree)
    # (the achieved markers only now: the answers above never read them)
    achieved = scanner.achieved_at.get(key)
    if achieved is None:
        achieved = scanner.achieved_at[key] = _marker_starts(sent, r, plain, r.achieved_lower_re, r.achieved_after_re,
                                                             r.achieved_res)
    before_a = max([a for a in achieved if a < rel], default=None) if achieved else None
    if before_p is not None and (before_a is None or before_p > before_a):
        # a "by 2025" deadline only plans figures whose verb is not already in the past
        return "planned"
    if before_a is not None:
        return "achieved"
    clause_end = r.clause_end_res[plain].search(sent, rel + (fig_end - fig_start)).start()
    after_p = min([p for p in planned if rel <= p < clause_end], default=None)  # "48%, against a target of 80%"
    after_a = min([a for a in achieved if a >= rel], default=None) if achieved else None
    if after_p is not None and (after_a is None or after_p < after_a):
        return "planned"
    return "achieved"


def _marker_starts(sent: str, r: _Rules, plain: int, lower_re, after_re, pair) -> list[int]:
    """Where the markers of ``pair`` (a (regex, plain re) pair, ``lower_re`` its lower-case twin and ``after_re``
    that twin's :func:`_after_twin`) start in ``sent``; ``plain``: :func:`_plain_ascii` of ``sent``."""
    if plain and r.planned_lower_re is not None and r.achieved_lower_re is not None:
        if after_re is not None:  # (the space read as the character before: the same offsets)
            return [m.start() for m in after_re.finditer(" " + sent.lower())]
        return [m.start() for m in lower_re.finditer(sent.lower())]  # (the same offsets: plain ASCII)
    return [m.start() for m in pair[plain].finditer(sent)]


def _may_hold_modal(window: str) -> bool:
    """False when ``window`` holds none of the words a match of ``_Rules.modal_before_re`` opens with."""
    return "to" in window or "will" in window or "'ll" in window or "would" in window or "shall" in window


def _opens_with_plan(sent: str, r: _Rules, plain: int = 0) -> bool:
    """'Seek EUR 1.2 million ...', 'Train 300 judges': a sentence opened by a bare verb is a plan.

    Not 'Support from 3 donors ...' or 'Review of 12 laws was ...': there the word is a noun.
    """
    m = r.opener_res[plain].match(sent)
    return m is not None and m["w"].lower() in r.lx.plan_openers and m["n"].lower() not in r.lx.opener_noun_next


def _past_after_subject(before: str, r: _Rules, plain: int = 0) -> bool:
    """A simple past after a subject in ``before``: 'IFAW completed a review of ...', 'we held'."""
    lx = r.lx
    for m in r.subject_verb_res[plain].finditer(before):
        subject = before[m.start():m.start("v")].split()[0].lower()
        if subject in lx.plan_openers or subject in lx.verbs:
            continue  # "Restore degraded land": a bare verb and an adjective, not a subject and its verb
        if subject not in ("we", "they", "he", "she") and before[:m.start()].strip(" \t\"'“‘(-•*").rstrip(",") \
                and not before[:m.start()].rstrip().endswith(","):
            continue  # a name inside the sentence is rarely its subject: "a LIFE integrated project"
        v = m["v"]
        if _re(r"\s+to\s").match(before, m.end()):
            continue  # "we decided to extend ...", "they agreed to fund ...": an intention
        if v in lx.simple_past or (len(v) > 4 and v.endswith("ed") and v not in lx.not_participles):
            return True
    return False


# ----------------------------------------------------------------------------------------- sentences
def _sentences(doc, text: str, rules: _Rules, plain: int = 0) -> list[tuple[int, int]]:
    """Sentence spans, cut again at paragraph and form-field breaks.

    A Doc's own sentences are used when a sentencizer set them; otherwise a regex splitter (a full stop,
    "!" or "?" before a capital or digit, unless it ends an abbreviation such as "approx." or "e.g.").
    ``plain``: :func:`_plain_ascii` of ``text``.
    """
    patterns = rules.twins if plain else rules
    if doc is not None and doc.has_annotation("SENT_START"):
        base = [(s.start_char, s.end_char) for s in doc.sents]
    else:
        base = []
        pos = 0
        for m in patterns.sentence_break_re.finditer(text):
            word = _word_before(text, m.start(), rules, plain).lower()
            if word in rules.lx.abbreviations or (len(word) == 1 and word.isalpha()):
                continue
            base.append((pos, m.start("gap")))
            pos = m.end()
        base.append((pos, len(text)))
    if "\n" not in text:  # every break of sentence_end_re holds a line break: none to cut at
        return [(s, e) for s, e in base if e > s]
    return _cut_at_breaks(text, base, patterns.sentence_end_re)


_ASCII_WORD_OR_DOT = _ASCII_LETTERS + "0123456789_."  # regex's [\w.] in plain ASCII text
_PREV_WORD_CHARS = _ASCII_WORD_OR_DOT + "'-"  # regex's [\w'’.-] in plain ASCII text (_Scanner._prev_word)


def _word_before(text: str, end: int, rules: _Rules, plain: int = 0) -> str:
    """The run of word characters and dots that ends at ``end`` (at most 12 long): ``word_before_re``'s
    match; in plain ASCII text (``plain``) one ``str.rstrip`` finds it without a pattern call."""
    start = end - 12 if end > 12 else 0
    if plain:
        window = text[start:end]
        return window[len(window.rstrip(_ASCII_WORD_OR_DOT)):]
    w = rules.word_before_re.search(text, start, end)
    return w.group() if w else ""


def _cut_at_breaks(text: str, spans: list[tuple[int, int]], breaks) -> list[tuple[int, int]]:
    """The non-empty pieces of ``spans`` left when every match of ``breaks`` is cut out."""
    out = []
    for s, e in spans:
        pos = s
        for m in breaks.finditer(text, s, e):
            if m.start() > pos:
                out.append((pos, m.start()))
            pos = m.end()
        if e > pos:
            out.append((pos, e))
    return out


# ----------------------------------------------------------------------------------------- API
class _ChunkTokenizer:
    """spaCy's tokenizer, with the tokens of each whitespace-delimited chunk remembered.

    spaCy cuts a text at whitespace and tokenises every chunk on its own (affixes and special cases never
    reach across a space), so a span's tokens are its chunks' tokens side by side: looking most chunks up
    skips building a Doc for every figure's sentence (same tokens as the tokenizer on 100k spans, fuzzed
    with its special cases). Only for a tokenizer nobody changes afterwards: the default pipeline's.
    """

    MAX_CHUNKS = 50_000  # distinct chunks kept; the table is emptied when full (a bounded memo)

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        # chunk -> its tokens as (start, end, text) inside the chunk, or None for one token (most words)
        self.chunks: dict[str, tuple[tuple[int, int, str], ...] | None] = {}

    def _tokens(self, chunk: str) -> tuple[tuple[int, int, str], ...] | None:
        from spacy.attrs import IDX, LENGTH

        if len(self.chunks) >= self.MAX_CHUNKS:
            self.chunks.clear()
        tokens = tuple((a, a + n, chunk[a:a + n])
                       for a, n in self.tokenizer(chunk).to_array([IDX, LENGTH]).tolist())
        if len(tokens) == 1 and tokens[0][2] == chunk:
            tokens = None
        self.chunks[chunk] = tokens
        return tokens

    def _add(self, chunk: str, at: int, out: list[tuple[int, int, str]]) -> None:
        tokens = self.chunks[chunk] if chunk in self.chunks else self._tokens(chunk)
        if tokens is None:
            out.append((at, at + len(chunk), chunk))
        else:
            out.extend((at + a, at + b, t) for a, b, t in tokens)

    def words(self, text: str, start: int, end: int, out: list[tuple[int, int, str]]) -> None:
        """Append the tokens of text[start:end], as ``tokenizer(text[start:end])`` gives them."""
        span = text[start:end]
        # The usual span has its words one space apart (every whitespace character but the space is
        # unprintable): each space is the trailing space of the token before it, so the chunks are the
        # pieces between the spaces, each starting one after the end of the one before
        if span and span[:1] != " " and span[-1:] != " " and "  " not in span and span.isprintable():
            chunks = self.chunks
            append = out.append
            at = start
            for chunk in span.split(" "):
                end = at + len(chunk)
                try:
                    tokens = chunks[chunk]
                except KeyError:  # (a chunk not met before: tokenised once)
                    tokens = self._tokens(chunk)
                if tokens is None:  # one token, the chunk itself: most words
                    append((at, end, chunk))
                else:
                    out.extend([(at + a, at + b, t) for a, b, t in tokens])
                at = end + 1
            return
        # Otherwise str.split() cuts at the same whitespace as spaCy (str.isspace), and each chunk is found
        # again by str.find from the end of the one before (only whitespace lies between them): no match objects
        known = self.chunks.get
        find = text.find
        prev = start
        for chunk in span.split():
            at = find(chunk, prev)
            # one space after a token is its trailing space; any other gap goes to _whitespace
            if at != prev and (at != prev + 1 or prev == start or text[prev] != " "):
                self._whitespace(text, start, prev, at, out)
            tokens = known(chunk, False)
            if tokens is False:
                tokens = self._tokens(chunk)
            prev = at + len(chunk)
            if tokens is None:
                out.append((at, prev, chunk))
            else:
                out.extend([(at + a, at + b, t) for a, b, t in tokens])
        if prev < end:
            self._whitespace(text, start, prev, end, out)

    def _whitespace(self, text: str, start: int, a: int, b: int, out: list[tuple[int, int, str]]) -> None:
        # spaCy's rule: one space after a token is that token's trailing space; the rest of the run (or a
        # run at the span's start, or one opening with another space character) is a token of its own
        if a > start and text[a] == " ":
            a += 1
        if a < b:
            self._add(text[a:b], a, out)


@functools.lru_cache(maxsize=1)
def _default_chunk_tokenizer() -> _ChunkTokenizer:
    return _ChunkTokenizer(default_pipeline().tokenizer)


def _words_in(spans: list[tuple[int, int]], text: str, doc, tokenizer) -> list[tuple[int, int, str]]:
    """Tokens (start, end, text) of the given sorted, disjoint character spans only.

    From the Doc when there is one; else each span is tokenised alone by the spaCy tokenizer (or a
    :class:`_ChunkTokenizer`), so a long report with a few figures costs a few sentences of
    tokenisation, not the whole text.
    """
    words: list[tuple[int, int, str]] = []
    if doc is None and isinstance(tokenizer, _ChunkTokenizer):  # find_claims with the default pipeline
        for ss, se in spans:
            tokenizer.words(text, ss, se, words)
        return words
    from spacy.attrs import IDX, LENGTH  # here, not at import: "import opmapper" need not load spaCy

    offsets = doc.to_array([IDX, LENGTH]) if doc is not None else None  # far cheaper than Token objects
    for ss, se in spans:
        if doc is not None:
            span = doc.char_span(ss, se, alignment_mode="expand")
            if span is not None:
                for a, length in offsets[span.start:span.end].tolist():
                    words.append((a, a + length, text[a:a + length]))
        elif tokenizer is not None:
            for idx, length in tokenizer(text[ss:se]).to_array([IDX, LENGTH]).tolist():
                a = ss + idx
                words.append((a, a + length, text[a:a + length]))
        else:
            words.extend((ss + m.start(), ss + m.end(), m.group())
                         for m in _re(r"\w+(?:[.'’]\w+)*|[^\w\s]").finditer(text, ss, se))
    return words


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _claims(text: str, doc, rules: _Rules, hits: tuple[list[tuple[int, int]], list[tuple[int, int]]], tokenizer=None,
            references=None, context: str | None = None) -> list[Claim]:
    """The claims of ``text``, whose number hits (``rules.core_hit_lists(text)``) are not both empty."""
    lexicon = rules.lx
    scanner = _Scanner(text, rules, doc, references)
    figures = scanner.scan(*hits)
    if not figures:
        return []
    sentences = _sentences(doc, text, rules, scanner.plain)
    sent_starts = [s for s, _ in sentences]
    spans = []
    figure_spans = []  # (figure, its sentence's start, end)
    for fig in figures:
        start, end = fig.start, fig.end
        # (the sentence holding the figure's last character; conditions, not min() and max() calls)
        k = bisect.bisect_right(sent_starts, end - 1 if end - 1 > start else start) - 1
        ss, se = sentences[k if k > 0 else 0]
        span = (ss if ss < start else start, se if se > end else end)
        spans.append(span)
        figure_spans.append((fig, *span))
    phrase = _Phrase(scanner, _words_in(_merge(spans), text, doc, tokenizer))
    rows = []
    for fig, ss, se in figure_spans:
        counted, head, counted_end, verb = phrase.analyse(fig, ss, se)
        rows.append([fig, ss, se, counted, head, counted_end, verb])
    _inherit_heads(rows, phrase, text)
    # (what each test needs first, tested here: a head counting time, a length)
    time_units = lexicon.time_units
    rows = [row for row in rows if not (row[4] in time_units and _is_duration(row, text, lexicon))
            and not (row[0].kind == "length" and _is_position(row[0], text, rules))]
    claims = []
    for fig, ss, se, counted, head, counted_end, verb in rows:
        verb_text, verb_pos = verb if verb else (None, None)
        modality = _modality(scanner, fig.start, fig.end, verb_text, ss, se, verb_pos, context)
        end = counted_end if counted_end > fig.end else fig.end
        value = fig.value
        if fig.unit is None:
            rounded = round(value)
            # (a whole number is close to itself: no call with a keyword for most counts)
            if rounded == value or math.isclose(value, rounded, rel_tol=1e-12):
                value = float(rounded)
        claims.append(_new_claim(  # the fields in Claim's order
            value, fig.value_max, fig.bound, fig.unit, counted, head, verb_text, modality,
            fig.kind if fig.unit is not None else "count", fig.start, end, text[fig.start:end], ss, se,
        ))
    return claims


def _is_position(fig: _Figure, text: str, rules: _Rules) -> bool:
    """'villages above 2,000 m', 'at depths below 200 m': a threshold saying where, not a figure achieved.

    A measured range stays ('nets were found at depths between 10 and 30 m'), and so does a length
    bounded by a counting word ('over 300 km of rivers').
    """
    if fig.kind != "length" or fig.bound == "=":
        return False
    if rules.position_bound_re.match(text, fig.start):
        return True
    return rules.elevation_re.search(text, max(0, fig.start - 30), min(len(text), fig.end + 25)) is not None


def _is_duration(row: list, text: str, lexicon: ClaimLexicon) -> bool:
    """'for 18 months', 'every two weeks', '5 and 7 years': a duration or frequency, not a claim.

    '1,450 patrol days' and '26,480 hours of diving' stay: they count effort.
    """
    fig, counted, head, counted_end = row[0], row[3], row[4], row[5]
    if fig.unit is not None or head not in lexicon.time_units or counted is None:
        return False
    plain = {head, "more", "additional", "other", "further", "consecutive", "full", "whole", "past", "last",
             "next", "few", "long", "short", "working", "calendar"}
    if not set(counted.lower().split()) <= plain:
        return False
    return not _re(r"(?i)\s+of\s+(?!the\b|a\b|an\b|its\b|their\b)\w").match(text[counted_end:counted_end + 30])


def _of_which_before(text: str, start: int, end: int) -> bool:
    """'..., of which ' ends ``text[start:end]`` (any case): a share of what was counted before."""
    window = text[start:end]
    # (every match holds an "o" and an "f" in either case, next to each other: most windows hold none)
    return "of" in window.lower() and _re(r"(?i)\bof\s+(?:which|them|these|those|whom)\s+$").search(window) is not None


def _inherit_heads(rows: list[list], phrase: _Phrase, text: str) -> None:
    """Counts with no noun of their own ('38 new cases, of which 9 ...', 'rose to 36') borrow one.

    'nine of the 13 range States' takes the next figure's head; '..., 9 of them' or 'compared with 4'
    take the previous figure's in the sentence; otherwise the nearest plural noun before in the sentence
    ('takedown requests fell to under 300').
    """
    taken = None  # the spans of the figures and their counted phrases (listed when first needed)
    for n, row in enumerate(rows):
        fig, ss, se, counted, head = row[:5]
        if head is not None or (fig.unit is not None and fig.unit not in ("%", "fraction")):
            continue
        nxt = rows[n + 1] if n + 1 < len(rows) and rows[n + 1][1] == ss else None
        between = text[fig.end:nxt[0].start] if nxt is not None else ""
        if nxt is not None and nxt[4] and nxt[0].unit is None and (
                _re(r"(?i)\s+(?:out\s+)?of\s+(?:the\s+|these\s+|those\s+|its\s+|our\s+|their\s+)?").fullmatch(between)
                or (fig.unit is None and _re(r"(?i)\s+(?:to|and|or)\s+").fullmatch(between))):
            # "nine of the 13 range States", "half of the 86 member states", "5 or 6 villages"
            row[3], row[4] = nxt[3], nxt[4]
            continue
        if fig.unit is not None and not fig.ratio and not _of_which_before(text, fig.start - 30 if fig.start - 30 > ss
                                                                           else ss, fig.start):
            continue  # "dropped by 34%": a share of nothing counted
        prev = rows[n - 1] if n > 0 and rows[n - 1][1] == ss else None
        if prev is not None and prev[4] and (prev[0].unit is None or prev[0].unit in ("%", "fraction")):
            row[3], row[4] = prev[3], prev[4]
        else:
            word = phrase.number_of_before(fig.start, ss)
            if not word:
                if taken is None:
                    taken = [(r[0].start, r[5]) for r in rows]
                word = phrase.plural_before(fig.start, ss, taken)
            if word is not None:
                row[3], row[4] = word, word


@functools.lru_cache(maxsize=1)
def default_pipeline():
    """``spacy.blank("en")``, built once per process: find_claims uses its tokenizer."""
    from ._imports import import_spacy

    return import_spacy().blank("en")


def claims_from_doc(doc, lexicon: ClaimLexicon = DEFAULT_LEXICON, context: str | None = None) -> list[Claim]:
    """All claims in an already tokenised Doc (used by the spaCy component); ``context`` as in find_claims."""
    rules = _rules(lexicon)
    hits = rules.core_hit_lists(doc.text)
    return _claims(doc.text, doc, rules, hits, context=context) if hits[0] or hits[1] else []


def find_claims(text: str, nlp=None, lexicon: ClaimLexicon = DEFAULT_LEXICON, references=None,
                context: str | None = None) -> list[Claim]:
    """All claims in ``text``; ``nlp`` is an optional shared pipeline (built once and cached if None).

    ``references``: ``opmapper.references.find_references(text)`` when the caller has already run it
    (the report parser does), so that it is not run twice; figures inside references are never claims.
    ``context="future"``: the text describes plans (a future action, the future-actions section), so a
    figure is "planned" unless its sentence says in past or perfect tense that it was done.
    """
    rules = _rules(lexicon)
    hits = rules.core_hit_lists(text)
    if not hits[0] and not hits[1]:  # no digit, no number word: no claim (and no need to load spaCy)
        return []
    # the default pipeline is ours and never changed: its tokens can be remembered per chunk
    tokenizer = nlp.tokenizer if nlp is not None else _default_chunk_tokenizer()
    return _claims(text, None, rules, hits, tokenizer=tokenizer, references=references, context=context)
