"""OpTagger: fit / predict_proba / suggest on a small written training set, persistence, CLI."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from opmapper.errors import InputError, ModelError
from opmapper.resolution import parse_resolution
from opmapper.tagger import OpTagger, Suggestion, load_training_data

ROOT = Path(__file__).resolve().parents[1]

SEALS = """WCC-2020-Res-777-EN
Keeping harbour seals safe from boats and nets

RECOGNISING that harbour seals rest on sandbanks close to busy shipping lanes;

The IUCN World Conservation Congress, at its session in Marseille, France:

1. URGES States to:

a. set speed limits for boats near the sandbanks where seals haul out; and

b. mark seal haul-out sites and seasonal closures on nautical charts;

2. CALLS ON boat clubs and harbour authorities to train skippers in seal-safe navigation;

3. ENCOURAGES fishers to switch to nets fitted with acoustic pingers that keep seals away from the gear; and

4. REQUESTS the Director General to report on progress to the next Congress.
"""
CODE = "WCC-2020-Res-777"

# (text, tags): tags as they would appear in a report; OP3 and OP4 have no examples on purpose.
TRAINING = [
    ("The port authority introduced a 6-knot speed limit around the estuary sandbanks. [OP1.a]", ["OP1.a"]),
    ("Speed limits for motor boats near haul-out banks were adopted by the regional council.", ["OP1.a"]),
    ("Our lobbying led the ministry to cap boat speed at 8 knots in the seal sanctuary zone. [OP1.a]", ["OP1.a"]),
    ("We monitored boat speed with radar and reported speeding vessels near the sandbanks. [OP1.a]", ["OP1.a"]),
    ("Drafted a bylaw limiting jet-ski speed next to the seal colony. [OP1.a]", ["OP1.a"]),
    ("The hydrographic office added haul-out sites to the 2022 nautical charts. [OP1.b]", ["OP1.b"]),
    ("Seasonal closure areas were printed on the new harbour charts and chart apps. [OP1.b]", ["OP1.b"]),
    ("We mapped twelve haul-out sites with drones and sent the coordinates for the charts. [OP1.b]", ["OP1.b"]),
    ("Electronic navigation charts now show the seasonal closures of the seal banks. [OP1.b]", ["OP1.b"]),
    ("Buoys and chart notices mark the closed haul-out areas from May to August. [OP1.b]", ["OP1.b"]),
    ("Ran seal-safe navigation courses for 60 skippers of the sailing club. [OP2]", ["OP2"]),
    ("Trained harbour staff and rental-boat skippers in keeping distance from resting seals. [OP2]", ["OP2"]),
    ("A one-day course for skippers on navigation near seals is now compulsory for club members. [OP2]", ["OP2"]),
    ("Published an online training module for skippers of boat clubs. [OP2]", ["OP2"]),
    ("Workshops for yacht club instructors on seal-safe navigation were held in three harbours. [OP2]", ["OP2"]),
    ("Speed limit signs and a skipper course were introduced together at the marina. [OP1.a; OP2]",
     ["OP1.a", "OP2"]),
    ("Charted the haul-out sites and trained skippers to respect the closures. [OP1.b; OP2]", ["OP1.b", "OP2"]),
    ("The council set a speed limit and put the seal banks on the charts. [OP1.a; OP1.b]", ["OP1.a", "OP1.b"]),
]
TEXTS = [t for t, _ in TRAINING]
LABELS = [lab for _, lab in TRAINING]


@pytest.fixture(scope="module")
def seals():
    return parse_resolution(SEALS)


def small_tagger(**params) -> OpTagger:
    return OpTagger(cv=3, max_char_features=3000, **params)


@pytest.fixture(scope="module")
def fitted(seals) -> OpTagger:
    return small_tagger().fit(TEXTS, LABELS, CODE, paragraphs={CODE: seals})


def test_predict_proba_shape_and_columns(fitted):
    proba = fitted.predict_proba(["Sailing club skippers took a course.", "Seal banks added to charts."], CODE)
    assert fitted.labels(CODE) == ["OP1", "OP1.a", "OP1.b", "OP2", "OP3", "OP4"]
    assert proba.shape == (2, 6)
    assert ((proba >= 0) & (proba <= 1)).all()


@pytest.mark.parametrize("text, expected", [
    ("Harbour masters lowered the speed limit for boats close to the sandbanks.", "OP1.a"),
    ("The navy's chart office now shows the seal haul-out sites on every nautical chart.", "OP1.b"),
    ("Forty club skippers completed training in navigation around resting seals.", "OP2"),
    # no tagged example: found through the paragraph's own wording
    ("Fishers in two ports fitted their nets with acoustic pingers to keep seals away.", "OP3"),
])
def test_suggest_ranks_the_right_paragraph_first(fitted, text, expected):
    suggestions = fitted.suggest(text, resolution=CODE, k=3)
    assert [type(s) for s in suggestions] == [Suggestion] * 3
    assert suggestions[0].id == expected
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(s.id in fitted.labels(CODE) for s in suggestions)


def test_sub_paragraph_counts_for_its_parent(fitted):
    proba = dict(zip(fitted.labels(CODE), fitted.predict_proba(
        ["Speed limits for boats near the seal sandbanks were adopted."], CODE)[0], strict=True))
    assert proba["OP1"] > 0.5 and proba["OP1"] > proba["OP2"] and proba["OP1"] > proba["OP4"]


@pytest.mark.parametrize("text", [
    "Harbour masters lowered the speed limit for boats close to the sandbanks.",
    "The navy's chart office now shows the seal haul-out sites on every nautical chart.",
    "The council set a speed limit and put the seal banks on the charts.",
])
def test_specific_suggestions_leave_out_the_implied_parent(fitted, text):
    ranked = [s.id for s in fitted.suggest(text, resolution=CODE, k=3, specific=False)]
    specific = fitted.suggest(text, resolution=CODE, k=3)
    ids = [s.id for s in specific]
    # by score the parent OP1 sits beside its sub-paragraph; the specific list names the sub-paragraph only
    assert "OP1" in ranked[:2] and ids[0] in ("OP1.a", "OP1.b") and "OP1" not in ids
    assert len(ids) == len(set(ids)) == 3
    assert [s.score for s in specific] == sorted((s.score for s in specific), reverse=True)
    proba = dict(zip(fitted.labels(CODE), fitted.specific_scores([text], CODE)[0][0], strict=True))
    assert [s.score for s in specific] == [round(float(proba[i]), 6) for i in ids]


@pytest.mark.parametrize("ranking, listed", [
    (["OP1.a", "OP1", "OP2", "OP3"], ["OP1.a", "OP2", "OP3"]),      # OP1 is implied by OP1.a
    (["OP1.b", "OP1.a", "OP1", "OP4"], ["OP1.b", "OP1.a", "OP4"]),
    (["OP1", "OP1.a", "OP2", "OP3"], ["OP1", "OP1.a", "OP2"]),      # parent as a whole first; OP1.a may follow
])
def test_most_specific_skips_implied_parents(fitted, ranking, listed):
    col = {pid: j for j, pid in enumerate(fitted.labels(CODE))}
    start = fitted.class_slices_[CODE].start
    chosen = fitted._most_specific([col[pid] for pid in ranking], start, 3)
    assert [fitted.labels(CODE)[j] for j in chosen] == listed


def test_specific_scores_learn_that_parents_are_rarely_tagged_as_a_whole(fitted):
    text = "Speed limits for boats near the seal sandbanks were adopted."
    specific, proba, _ = fitted.specific_scores([text], CODE)
    col = {pid: j for j, pid in enumerate(fitted.labels(CODE))}
    # OP1 is likely under "a sub-paragraph counts for its parent", but nobody tags OP1 itself
    assert proba[0, col["OP1"]] > 0.5 and specific[0, col["OP1"]] < specific[0, col["OP1.a"]]
    # the hit matrix: a sub-paragraph is right for its tagged parent, a parent is not right for a sub-paragraph
    hits = fitted._hit_matrix([["OP1"], ["OP1.a"]], np.array([CODE, CODE], dtype=object))
    ids = [pid for _, pid in fitted.classes_]
    assert {ids[j] for j in np.flatnonzero(hits[0])} == {"OP1", "OP1.a", "OP1.b"}
    assert {ids[j] for j in np.flatnonzero(hits[1])} == {"OP1.a"}


def test_evidence_words_come_from_the_text(fitted):
    text = "Forty club skippers completed training in navigation around resting seals."
    top = fitted.suggest(text, resolution=CODE, k=1)[0]
    assert top.evidence and len(top.evidence) <= fitted.evidence_size
    for term in top.evidence:
        assert all(word in text.lower() for word in term.split())
    assert {"skippers", "training", "navigation"} & set(" ".join(top.evidence).split())


@pytest.mark.parametrize("tagged, bare", [
    ("[OP2]", ""),
    ("[OP1.a; OP2]", ""),
    ("Met the harbour master. [OP2]", "Met the harbour master."),
    ("Met the harbour master, in line with operative paragraph 2.", "Met the harbour master, in line with."),
])
def test_explicit_references_carry_no_signal(fitted, tagged, bare):
    assert np.array_equal(fitted.predict_proba([tagged], CODE), fitted.predict_proba([bare], CODE))
    if not bare:
        assert all(s.evidence == () for s in fitted.suggest(tagged, CODE, k=6))


def test_same_seed_same_scores_and_different_data_different_scores(seals):
    texts = ["A course for club skippers.", "New speed limit near the seals.", "Nets with pingers."]
    a = small_tagger(random_state=3).fit(TEXTS, LABELS, CODE, paragraphs={CODE: seals})
    b = small_tagger(random_state=3).fit(TEXTS, LABELS, CODE, paragraphs={CODE: seals})
    assert np.array_equal(a.predict_proba(texts, CODE), b.predict_proba(texts, CODE))
    assert np.array_equal(a.thresholds_, b.thresholds_)
    c = small_tagger(random_state=3).fit(TEXTS[:-3], LABELS[:-3], CODE, paragraphs={CODE: seals})
    assert a.training_sha256_ != c.training_sha256_
    assert not np.array_equal(a.predict_proba(texts, CODE), c.predict_proba(texts, CODE))


def test_sklearn_conventions(fitted):
    params = fitted.get_params()
    assert params["random_state"] == 0 and params["cv"] == 3
    fresh = clone(fitted)
    assert not hasattr(fresh, "coef_") and fresh.get_params() == params
    with pytest.raises(ModelError, match="not fitted"):
        fresh.suggest("anything", CODE)
    assert fitted.predict(["Forty club skippers completed training in seal-safe navigation."], CODE)[0] \
        in (["OP2"], ["OP1", "OP2"])


def test_unknown_resolution_and_bad_inputs(fitted, seals):
    with pytest.raises(ModelError, match="WCC-2020-Res-999"):
        fitted.suggest("text", resolution="WCC-2020-Res-999")
    with pytest.raises(ValueError, match="texts but"):
        small_tagger().fit(TEXTS, LABELS[:-1], CODE, paragraphs={CODE: seals})
    with pytest.raises(ValueError, match="no resolution text"):
        small_tagger().fit(TEXTS, LABELS, "WCC-2020-Res-999", paragraphs={CODE: seals})


# ------------------------------------------------------------------ persistence
def test_save_load_round_trip_identical_scores(fitted, tmp_path, monkeypatch):
    fitted.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["tagger.json", "tagger.npz"]

    def refuse(*args, **kwargs):
        raise AssertionError("pickle must not be used to load a model")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    loaded = OpTagger.load(tmp_path / "m")
    texts = TEXTS[:5] + ["Nets with pingers.", ""]
    assert np.array_equal(fitted.predict_proba(texts, CODE), loaded.predict_proba(texts, CODE))
    assert fitted.suggest(TEXTS[0], CODE, k=6) == loaded.suggest(TEXTS[0], CODE, k=6)
    assert fitted.suggest(TEXTS[0], CODE, k=6, specific=False) == loaded.suggest(TEXTS[0], CODE, k=6, specific=False)
    assert np.array_equal(fitted.specific_scores(texts, CODE)[0], loaded.specific_scores(texts, CODE)[0])
    assert loaded.get_params() == fitted.get_params()
    # the arrays file holds plain arrays only
    with np.load(tmp_path / "m" / "tagger.npz", allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)
    meta = json.loads((tmp_path / "m" / "tagger.json").read_text(encoding="utf-8"))
    assert meta["training"]["sha256"] == fitted.training_sha256_ and len(meta["arrays"]["sha256"]) == 64
    assert OpTagger.load(tmp_path / "m" / "tagger.json").labels(CODE) == fitted.labels(CODE)


def _edit_json(path: Path, change, rehash: bool) -> None:
    from opmapper.tagger import _json_digest

    meta = json.loads(path.read_text(encoding="utf-8"))
    change(meta)
    if rehash:
        meta["json_sha256"] = _json_digest(meta)
    path.write_text(json.dumps(meta), encoding="utf-8")


@pytest.mark.parametrize("damage, file, problem", [
    (lambda d: (d / "tagger.npz").write_bytes((d / "tagger.npz").read_bytes()[:-40] + b"\0" * 40),
     "tagger.npz", "checksum"),
    (lambda d: (d / "tagger.npz").unlink(), "tagger.npz", "cannot read"),
    (lambda d: _edit_json(d / "tagger.json", lambda m: m["thresholds"].__setitem__(0, 0.0), False),
     "tagger.json", "checksum"),
    (lambda d: _edit_json(d / "tagger.json", lambda m: m.__setitem__("format_version", 99), True),
     "tagger.json", "version 99"),
    (lambda d: _edit_json(d / "tagger.json", lambda m: m["word_vocabulary"].pop(), True),
     "tagger.json", "inconsistent"),
    (lambda d: (d / "tagger.json").write_text("{not json", encoding="utf-8"), "tagger.json", "not a readable"),
    (lambda d: (d / "tagger.json").unlink(), "tagger.json", "not found"),
])
def test_tampered_or_incompatible_model_is_refused(fitted, tmp_path, damage, file, problem):
    folder = tmp_path / "m"
    fitted.save(folder)
    damage(folder)
    with pytest.raises(ModelError) as err:
        OpTagger.load(folder)
    assert file in str(err.value) and problem in str(err.value)


def test_arrays_from_another_model_are_refused(fitted, seals, tmp_path):
    fitted.save(tmp_path / "a")
    small_tagger(C=1.0).fit(TEXTS, LABELS, CODE, paragraphs={CODE: seals}).save(tmp_path / "b")
    (tmp_path / "a" / "tagger.npz").write_bytes((tmp_path / "b" / "tagger.npz").read_bytes())
    with pytest.raises(ModelError, match="tagger.npz.*checksum"):
        OpTagger.load(tmp_path / "a")


# ------------------------------------------------------------------ training data and the command line
TYPES = ["Capacity-building", "Policy influencing/advocacy", "Field activities", "Scientific/technical activities"]


def legacy_report(organisation: str, activities: list[tuple[str, list[str]]], untagged: str) -> str:
    """An activity report in the older flattened-table layout (type, description and status run together)."""
    tagged = [text if "[" in text else f"{text} [{'; '.join(tags)}]" for text, tags in activities]
    rows = [f"{TYPES[i % len(TYPES)]}{text}{'On-going' if i % 2 else 'Completed'}" for i, text in enumerate(tagged)]
    rows.append(f"Field activities{untagged}On-going")
    return "\n".join([
        "WCC 2020 Res 777 - Activity Report", "IUCN Constituent: ", organisation, "IUCN Constituent type: ",
        "IUCN Member organisation", "Period covered: ", "2021-2022", "Geographic scope: ", "Europe",
        "Implementation",
        "Indicate and briefly describe any actions that have been carried out to implement this Resolution: ",
        "ActionDescriptionStatus", *rows,
        "Please report on the result /achievement of the actions taken: ", "Work continues.",
        "Future ActionDescription",
        "Education/Communication/Raising awarenessPublish a leaflet for skippers on seal-safe navigation. [OP2]",
        "Additional information: ", "",
    ])


ORGANISATIONS = ["Harbour Seal Trust", "Estuary Sailing Federation", "Wadden Coast Rangers", "North Sands Council"]


@pytest.fixture(scope="module")
def corpus_dirs(tmp_path_factory):
    """Four organisations' reports on the written resolution, plus the resolution folder."""
    root = tmp_path_factory.mktemp("seal_corpus")
    (root / "resolutions").mkdir()
    (root / "resolutions" / f"{CODE}.txt").write_text(SEALS, encoding="utf-8")
    reports = root / "reports" / CODE
    reports.mkdir(parents=True)
    for n, org in enumerate(ORGANISATIONS):
        share = TRAINING[n::len(ORGANISATIONS)]
        untagged = ["Fishers in two harbours fitted acoustic pingers to their nets.",
                    "Club members took a course on navigating near resting seals.",
                    "Charts of the estuary now show where seals haul out.",
                    "A speed limit for boats near the sandbanks came into force."][n]
        (reports / f"{org.lower().replace(' ', '_')}.txt").write_text(legacy_report(org, share, untagged),
                                                                         encoding="utf-8")
    return root


def test_load_training_data(corpus_dirs):
    data = load_training_data([corpus_dirs / "reports"])
    # every tagged activity plus every organisation's tagged future action; untagged ones are left out
    assert len(data) == len(TRAINING) + len(ORGANISATIONS)
    assert set(data.codes) == {CODE} and set(data.groups) == set(ORGANISATIONS)
    assert sorted(map(sorted, data.labels)) == sorted([sorted(lab) for lab in LABELS] + [["OP2"]] * 4)
    assert all("On-going" not in t and "Completed" not in t for t in data.texts)
    assert not any("pingers" in t for t in data.texts)


def run_cli(*argv) -> tuple[int, str, str]:
    import contextlib
    import io

    from opmapper.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def test_cli_train_suggest_evaluate(corpus_dirs, tmp_path):
    res_dir, reports = corpus_dirs / "resolutions", corpus_dirs / "reports"
    code, out, err = run_cli("train", "--resolutions", res_dir, reports, "-o", tmp_path / "model")
    assert code == 0, err
    assert "trained on 22 tagged activities" in out and (tmp_path / "model" / "tagger.npz").is_file()

    files = sorted((reports / CODE).glob("*.txt"))
    code, out, err = run_cli("suggest", *files, "--model", tmp_path / "model", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    # only the untagged activity of each report is given suggestions
    assert len(rows) == 4 and all(not r["references"] for r in rows)
    by_text = {r["description"]: r["suggestions"] for r in rows}
    pingers = by_text["Fishers in two harbours fitted acoustic pingers to their nets."]
    assert "OP3" in [s["id"] for s in pingers] and len(pingers) == 3

    code, out, _ = run_cli("suggest", files[0], "--model", tmp_path / "model", "--all", "--k", "2", "-f", "csv")
    assert code == 0 and out.splitlines()[0].startswith("source,resolution_code")
    # every activity (tagged ones, the untagged one) and the future action, two rows each
    assert len(out.splitlines()) == 1 + 2 * (len(TRAINING[0::len(ORGANISATIONS)]) + 2)

    code, out, _ = run_cli("suggest", files[0], "--model", tmp_path / "model")
    assert code == 0 and "Club members took a course on navigating near resting seals." in out
    assert "OP2" in out.split("resting seals.")[1].splitlines()[1]   # first suggestion line

    code, out, err = run_cli("evaluate", "tagger", "--corpus", reports, "--resolutions", res_dir, "--folds", "2")
    assert code == 0, err
    assert "P@1" in out and "most_frequent" in out and CODE in out


@pytest.mark.parametrize("argv, code, message", [
    (["suggest", "{report}", "--model", "{tmp}/nowhere"], 2, "model file not found"),  # a bad argument
    (["suggest", "{tmp}/missing.txt", "--model", "{tmp}/model"], 1, "missing.txt"),
    (["train", "{reports}"], 2, "-o"),
    (["train", "--resolutions", "{res}", "{tmp}/empty", "-o", "{tmp}/m2"], 1, "no tagged activities"),
    (["evaluate", "tagger", "--corpus", "{tmp}/empty", "--resolutions", "{res}"], 1, "too little tagged data"),
])
def test_cli_errors(corpus_dirs, fitted, tmp_path, argv, code, message):
    (tmp_path / "empty").mkdir()
    fitted.save(tmp_path / "model")
    fill = {"tmp": tmp_path, "res": corpus_dirs / "resolutions", "reports": corpus_dirs / "reports",
            "report": sorted((corpus_dirs / "reports" / CODE).glob("*.txt"))[0]}
    got, out, err = run_cli(*[a.format(**fill) for a in argv])
    assert got == code and message in err


def test_train_skips_unreadable_files_and_says_so(corpus_dirs, tmp_path):
    import shutil

    shutil.copytree(corpus_dirs / "reports", tmp_path / "reports")
    (tmp_path / "reports" / "broken.txt").write_bytes(b"\x00\x01binary\x00")
    code, out, err = run_cli("train", "--resolutions", corpus_dirs / "resolutions", tmp_path / "reports",
                             "-o", tmp_path / "model")
    assert code == 1 and "broken.txt" in err and "binary" in err
    assert "trained on 22 tagged activities" in out and (tmp_path / "model" / "tagger.json").is_file()
    with pytest.raises(InputError, match="broken.txt"):
        load_training_data([tmp_path / "reports"])


def test_suggest_on_a_resolution_the_model_does_not_know(fitted, tmp_path):
    fitted.save(tmp_path / "model")
    report = legacy_report("Someone", TRAINING[:2], "Anything at all.").replace("Res 777", "Res 040")
    (tmp_path / "r.txt").write_text(report, encoding="utf-8")
    code, _, err = run_cli("suggest", tmp_path / "r.txt", "--model", tmp_path / "model")
    assert code == 1 and "WCC-2020-Res-040" in err and "r.txt" in err


# ------------------------------------------------------------------ the shipped model
def test_default_model_loads_and_knows_the_corpus():
    from opmapper.resolution import load_resolutions

    tagger = OpTagger.load()
    corpus = load_resolutions()
    assert set(tagger.resolutions_) == set(corpus)
    for code, res in corpus.items():
        assert tagger.labels(code) == [p.id for p in res.operative]
    top = tagger.suggest("Trained 50 police officers and prosecutors to investigate wildlife cybercrime cases.",
                         resolution="WCC-2020-Res-040", k=3)
    assert {"OP2", "OP4.b"} & {s.id for s in top}
    # scoring one resolution gives the same numbers as scoring all and taking its columns
    texts = ["Fishers retrieved lost nets from the reef.", "Vulture-safe zones were set up."]
    everything = tagger.predict_proba(texts)
    for code in ("WCC-2020-Res-091", "WCC-2020-Res-118"):
        assert np.allclose(everything[:, tagger.class_slices_[code]], tagger.predict_proba(texts, code))


def test_ranking_metrics_by_hand():
    from opmapper.evaluate import _ranking_metrics

    outcomes = [(["OP4", "OP4.b", "OP2"], {"OP4", "OP4.b"}), (["OP1", "OP3", "OP2"], {"OP1"})]
    gold = [{"OP4", "OP4.b", "OP2"}, {"OP2"}]
    as_tagged = [{"OP4.b", "OP2"}, {"OP2"}]
    m = _ranking_metrics([0, 1], outcomes, gold, as_tagged, [CODE, CODE])
    assert (m["p_at_1"], m["p_at_1_exact"], m["recall_at_3"]) == (0.5, 0.0, 1.0)
    assert m["micro_precision"] == pytest.approx(2 / 3) and m["micro_recall"] == pytest.approx(0.5)
    assert m["micro_f1"] == pytest.approx(4 / 7)
    assert m["macro_f1"] == pytest.approx(2 / 3)      # OP4 1.0, OP4.b 1.0, OP2 0.0; OP1 has no support
    assert m["paragraphs"][f"{CODE} OP1"] == {"precision": 0.0, "recall": 0.0, "support": 0, "predicted": 1}


def test_tagged_metrics_by_hand():
    from opmapper.evaluate import _tagged_metrics

    ancestors = {CODE: {"OP1": set(), "OP1.a": {"OP1"}, "OP1.b": {"OP1"}, "OP2": set(), "OP3": set()}}
    outcomes = [
        (["OP1.a", "OP3", "OP2"], {"OP1.a"}),      # tagged OP1: its sub-paragraph OP1.a is a hit
        (["OP1", "OP1.b", "OP3"], {"OP1", "OP2"}),  # tagged OP1.b: the parent OP1 on top is no hit
        (["OP3", "OP2", "OP1.a"], set()),          # tagged OP2 and OP1.b: one of two in the top 3
    ]
    as_tagged = [{"OP1"}, {"OP1.b"}, {"OP2", "OP1.b"}]
    m = _tagged_metrics([0, 1, 2], outcomes, as_tagged, ancestors, [CODE] * 3)
    assert m["p_at_1"] == pytest.approx(1 / 3)
    assert m["recall_at_3"] == pytest.approx((1 + 1 + 0.5) / 3)      # per activity, then averaged
    assert m["recall_at_3_micro"] == pytest.approx(3 / 4)            # pooled
    # predicted: OP1.a right; OP1 wrong, OP2 wrong -> precision 1/3; found: OP1 of row 0 only -> recall 1/4
    assert m["micro_precision"] == pytest.approx(1 / 3) and m["micro_recall"] == pytest.approx(1 / 4)
    low, high = m["p_at_1_ci95"]
    assert 0.0 <= low < m["p_at_1"] < high <= 1.0


DEFERRED_STATS_PROBE = """
import sys
import numpy as np
import opmapper.tagger
print("stats loaded by import:", "scipy.stats" in sys.modules)
# scikit-learn's own uses of the deferred module still reach the real one
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils.fixes import _mode
X = np.linspace(0.0, 1.0, 50).reshape(-1, 1)
normal = QuantileTransformer(n_quantiles=50, output_distribution="normal").fit_transform(X)
print("quantile normal:", round(float(normal[25, 0]), 3))
print("mode:", int(_mode(np.array([3, 1, 3, 2]))[0].ravel()[0]))
import scipy.stats
print("real module:", type(sys.modules["scipy.stats"]).__name__, hasattr(scipy.stats, "norm"),
      scipy.stats is sys.modules["scipy.stats"])
"""


def test_scoring_imports_leave_scipy_stats_out_until_something_uses_it():
    """Importing the tagger does not import scipy.stats (a third of start-up); scikit-learn code that uses
    it, and a later `import scipy.stats`, get the real module."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", DEFERRED_STATS_PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "stats loaded by import: False"
    assert 0.0 < float(lines[1].split(": ")[1]) < 0.1  # the middle of [0, 1] mapped through norm.ppf, not 0.51
    assert lines[2] == "mode: 3"
    assert lines[3] == "real module: module True True"


def test_scipy_stats_already_imported_is_left_as_it_is():
    import subprocess
    import sys

    probe = ("import sys, scipy.stats\nfirst = sys.modules['scipy.stats']\nimport opmapper.tagger\n"
             "print(sys.modules['scipy.stats'] is first, type(first).__name__)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "module"]
