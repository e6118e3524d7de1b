"""opmapper: link resolution implementation reports to the operative paragraphs and figures they claim.

    >>> import opmapper
    >>> report = opmapper.parse_report(text)
    >>> opmapper.find_references("[OP2; OP4.b]")
    >>> opmapper.find_claims("The coalition now includes 47 technology companies.")
"""

from __future__ import annotations

from .batch import analyze
from .checks import Finding, check_report
from .claims import Claim, find_claims
from .errors import InputError, ModelError, OpmapperError
from .references import (
    Reference,
    ReferencePatterns,
    ResolutionMention,
    find_references,
    find_resolution_mentions,
)
from .report import Activity, Field, Member, Report, Section, parse_report
from .resolution import Paragraph, Resolution, load_resolutions, parse_resolution
from .tagger import OpTagger, Suggestion

__version__ = "0.1.0"

__all__ = [
    "Activity",
    "Claim",
    "Field",
    "Finding",
    "InputError",
    "Member",
    "ModelError",
    "OpTagger",
    "OpmapperError",
    "Paragraph",
    "Reference",
    "ReferencePatterns",
    "Report",
    "Resolution",
    "ResolutionMention",
    "Section",
    "Suggestion",
    "analyze",
    "check_report",
    "find_claims",
    "find_references",
    "find_resolution_mentions",
    "load_resolutions",
    "parse_report",
    "parse_resolution",
    "__version__",
]
