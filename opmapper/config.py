"""Project settings from ``[tool.opmapper]`` in a ``pyproject.toml``; command-line flags override them.

    [tool.opmapper]
    select = ["unreferenced-claim", "malformed-reference"]
    ignore = ["duplicate-text"]
    fail-on = "warning"
    resolution = "WCC-2020-Res-040"     # a code from the bundled corpus, or a file
    model = "models/op_tagger"

Relative paths are taken from the folder holding the ``pyproject.toml``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import OpmapperError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SEVERITIES = ("info", "warning", "error")


class ConfigError(OpmapperError):
    """``[tool.opmapper]`` holds a value of the wrong kind; names the file and the key."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: str | None = None
    resolution: str | None = None   # a code, or a path made absolute
    model: str | None = None        # a path made absolute
    source: str | None = None       # the pyproject.toml they came from


def _codes(value, key: str, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[tool.opmapper] {key} must be a list of rule codes", source)
    return tuple(v.strip() for v in value if v.strip())


def _text(value, key: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"[tool.opmapper] {key} must be a non-empty string", source)
    return value.strip()


def load_settings(directory: str | Path | None = None) -> Settings:
    """Settings from ``<directory>/pyproject.toml`` (default: the working directory); empty when absent."""
    folder = Path(directory) if directory is not None else Path.cwd()
    path = folder / "pyproject.toml"
    if not path.is_file():
        return Settings()
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML ({exc})", source) from None
    except OSError as exc:
        raise ConfigError(f"cannot read file ({exc.strerror or exc})", source) from None
    table = data.get("tool", {}).get("opmapper", {})
    if not isinstance(table, dict):
        raise ConfigError("[tool.opmapper] must be a table", source)
    table = {k.replace("_", "-"): v for k, v in table.items()}   # fail_on and fail-on both work

    def path_or_code(value: str) -> str:
        candidate = folder / value
        return str(candidate.resolve()) if candidate.exists() else value

    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise ConfigError(f"[tool.opmapper] fail-on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}",
                          source)
    model = table.get("model")
    resolution = table.get("resolution")
    return Settings(
        select=_codes(table["select"], "select", source) if "select" in table else None,
        ignore=_codes(table["ignore"], "ignore", source) if "ignore" in table else None,
        fail_on=fail_on,
        resolution=path_or_code(_text(resolution, "resolution", source)) if resolution is not None else None,
        model=str((folder / _text(model, "model", source)).resolve()) if model is not None else None,
        source=source,
    )
