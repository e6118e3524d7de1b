"""opmapper: link resolution implementation reports to the operative paragraphs and figures they claim.

    >>> import opmapper
    >>> report = opmapper.parse_report(text)
    >>> opmapper.find_references("[OP2; OP4.b]")
    >>> opmapper.find_claims("The coalition now includes 47 technology companies.")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import InputError, ModelError, OpmapperError

__version__ = "0.1.0"

# The public names and the module that defines each. They are imported on first use (PEP 562), so that
# `opmapper refs` or `import opmapper.references` does not pay for scikit-learn and spaCy start-up.
_EXPORTS = {
    "analyze": "batch",
    "Finding": "checks", "check_report": "checks",
    "Claim": "claims", "find_claims": "claims",
    "Reference": "references", "ReferencePatterns": "references", "ResolutionMention": "references",
    "find_references": "references", "find_resolution_mentions": "references",
    "Activity": "report", "Field": "report", "Member": "report", "Report": "report", "Section": "report",
    "parse_report": "report",
    "Paragraph": "resolution", "Resolution": "resolution", "load_resolutions": "resolution",
    "parse_resolution": "resolution",
    "OpTagger": "tagger", "Suggestion": "tagger", "TaggerModel": "tagger_model",
}

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
    "TaggerModel",
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'opmapper' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # what static type checkers and IDEs see
    from .batch import analyze
    from .checks import Finding, check_report
    from .claims import Claim, find_claims
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
    from .tagger_model import TaggerModel
