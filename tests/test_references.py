"""Explicit paragraph references: tables of real-looking sentences, spans checked against the text."""

from __future__ import annotations

import pytest

from opmapper.references import find_references, find_resolution_mentions, strip_references

BASIC = [
    ("We trained customs officers in three ports. [OP2; OP4.b]", ["OP2", "OP4.b"]),
    ("Work under operative paragraph 3 started in May.", ["OP3"]),
    ("This addresses OP 4(b) directly.", ["OP4.b"]),
    ("At the forthcoming CoP19 of CITES we will host a side-event.", []),
]


@pytest.mark.parametrize("text, ids", BASIC)
def test_basic_ids_and_spans(text, ids):
    refs = find_references(text)
    assert [r.id for r in refs] == ids
    for r in refs:
        assert text[r.start:r.end] == r.text


def test_strip_removes_tag_list():
    assert strip_references("We trained officers. [OP2; OP4.b]") == "We trained officers."


def test_resolution_code_normalised():
    (m,) = find_resolution_mentions("Progress on Resolution 6.049 was slow.")
    assert m.code == "WCC-2016-Res-049"
