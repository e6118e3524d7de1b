"""Deferred imports: what opmapper leaves out of start-up still works when something asks for it."""

from __future__ import annotations

import subprocess
import sys

SENTENCE = "Since 2021 we trained 1,250 officers (e.g. in U.S.-led courses) and removed 11.5m posts."

SPACY_WITHOUT_CLI_PROBE = f"""
import sys
from opmapper.claims import default_pipeline
nlp = default_pipeline()
print("cli loaded by the pipeline:", "spacy.cli" in sys.modules, "typer" in sys.modules)
print("tokens:", "|".join(t.text for t in nlp({SENTENCE!r})))
import spacy
print("info:", spacy.info()["spacy_version"] == spacy.__version__)
import spacy.cli
from spacy.cli import download
print("real cli:", type(spacy.cli).__name__, callable(download), type(sys.modules["spacy.cli.info"]).__name__)
"""

PLAIN_SPACY_PROBE = f"""
import spacy
print("tokens:", "|".join(t.text for t in spacy.blank("en")({SENTENCE!r})))
"""


def _run(probe: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_claims_pipeline_imports_spacy_without_its_cli_and_spacy_info_still_works():
    lines = _run(SPACY_WITHOUT_CLI_PROBE)
    assert lines[0] == "cli loaded by the pipeline: False False"
    assert lines[1] == _run(PLAIN_SPACY_PROBE)[0]  # the same tokenizer as a plain `import spacy`
    assert "|U.S.-led|" in lines[1] and "|1,250|" in lines[1]
    assert lines[2] == "info: True"
    assert lines[3] == "real cli: module True module"


def test_spacy_imported_before_opmapper_is_used_as_it_is():
    probe = ("import sys, spacy\nfirst = sys.modules['spacy']\nfrom opmapper._imports import import_spacy\n"
             "print(import_spacy() is first, type(sys.modules['spacy.cli']).__name__)\n"
             "import opmapper.pipeline\nnlp = spacy.blank('en')\nnlp.add_pipe('opmapper_references')\n"
             "print([s.label_ for s in nlp('We acted on OP 4(b).')._.op_references])")
    assert _run(probe) == ["True module", "['OP4.b']"]


def test_a_deferred_package_answers_the_import_systems_questions_without_being_imported():
    probe = """
import sys
from opmapper._imports import deferred_import
with deferred_import("xml.dom"), deferred_import("email.quoprimime", functions=["quote"]):
    import xml.dom
    from email.quoprimime import quote
    dom = sys.modules["xml.dom"]
    print("paths:", dom.__path__[0].endswith("dom"), hasattr(sys.modules["email.quoprimime"], "__path__"))
    print("in the block:", type(dom).__name__, type(sys.modules["email.quoprimime"]).__name__)
print("after the block:", "xml.dom" in sys.modules, "email.quoprimime" in sys.modules)
print("forwarded:", quote("="), type(sys.modules["email.quoprimime"]).__name__)
print("attribute:", dom.Node.ELEMENT_NODE, type(sys.modules["xml.dom"]).__name__)
"""
    assert _run(probe) == [
        "paths: True False",
        "in the block: _DeferredModule _DeferredModule",
        "after the block: False False",
        "forwarded: =3D module",
        "attribute: 1 module",
    ]


NUMPY_EXTRAS_PROBE = """
import sys
import opmapper.tagger
real = lambda name: type(sys.modules.get(name)).__name__ == "module"
print("loaded by the tagger:", [n for n in ("numpy.f2py", "numpy.testing", "numpy.ma", "numpy.polynomial",
      "numpy.ctypeslib", "charset_normalizer", "scipy.optimize") if real(n)])
import numpy as np
from numpy.testing import assert_array_equal
assert_array_equal(np.ma.masked_array([1, 2], mask=[0, 1]).filled(0), [1, 0])
print("polynomial:", np.polynomial.Polynomial([1, 2])(2), "ma:", real("numpy.ma"))
from scipy._lib.array_api_compat import numpy as xp
print("scipy's copy of numpy:", xp.ma.masked_array([3]).sum(), xp.polynomial.Polynomial([0, 1])(4))
print("optimize loaded:", real("scipy.optimize"))
from sklearn.preprocessing import SplineTransformer
print("splines:", SplineTransformer(n_knots=3, degree=1).fit_transform([[0.0], [1.0], [2.0]]).round(3).tolist())
from scipy.interpolate import _bsplines
print("minimum:", round(float(_bsplines.minimize_scalar(lambda x: (x - 2) ** 2).x), 6), real("scipy.optimize"))
"""


def test_scoring_imports_leave_numpys_unused_extras_out_and_they_work_when_used():
    lines = _run(NUMPY_EXTRAS_PROBE)
    assert lines == ["loaded by the tagger: []", "polynomial: 5.0 ma: True", "scipy's copy of numpy: 3 4.0",
                     "optimize loaded: False", "splines: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]",
                     "minimum: 2.0 True"]


def test_a_submodule_imported_in_the_block_runs_once_under_the_real_package(tmp_path):
    """What a newer library might do: import a submodule of a package that is a stand-in, where the
    package's own __init__ imports that submodule too."""
    pkg = tmp_path / "deferredpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("import builtins\nbuiltins.RUNS = getattr(builtins, 'RUNS', []) + ['pkg']\n"
                                     "from .helpers import VALUE\n")
    (pkg / "helpers.py").write_text("import builtins\nbuiltins.RUNS = getattr(builtins, 'RUNS', []) + ['helpers']\n"
                                    "VALUE = 41\n")
    (pkg / "extra.py").write_text("from . import helpers\nANSWER = helpers.VALUE + 1\n")
    probe = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
from opmapper._imports import deferred_import
with deferred_import("deferredpkg"):
    import deferredpkg.helpers
    from deferredpkg.extra import ANSWER
import builtins, deferredpkg
print(builtins.RUNS, ANSWER, deferredpkg.VALUE, type(sys.modules["deferredpkg"]).__name__)
print(sys.modules["deferredpkg.helpers"].__spec__.origin.endswith("helpers.py"), sys.meta_path[0].__class__.__name__)
"""
    assert _run(probe) == ["['pkg', 'helpers'] 42 41 module", "True " + _run("import sys\nprint(sys.meta_path[0].__class__.__name__)")[0]]


SCORING_WITHOUT_SKLEARN_PROBE = """
import sys
from opmapper import batch
record = batch.analyze(open(sys.argv[1], encoding="utf-8").read(), "example.txt")
print("tagger:", type(batch.get_analyzer().tagger).__name__, "sklearn loaded:", "sklearn" in sys.modules)
print("suggested activities:", len(record["suggestions"]))
from opmapper.tagger import OpTagger
estimator = OpTagger.load()
texts = [record["report"][e["section"]][e["index"]]["description"] for e in record["suggestions"]]
print("same as OpTagger:", [e["suggestions"] for e in record["suggestions"]] == [
    [s.to_dict() for s in estimator.suggest(text, record["resolution_code"])] for text in texts])
"""


def test_analysing_a_report_loads_no_scikit_learn_and_scores_as_the_estimator():
    """Batch workers and `opmapper analyze/check/suggest` score with TaggerModel: scikit-learn (a quarter of
    their start-up) is not imported, and the suggestions are the estimator's."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "corpus" / "examples" / "activity-report.txt"
    done = subprocess.run([sys.executable, "-c", SCORING_WITHOUT_SKLEARN_PROBE, str(example)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "tagger: TaggerModel sklearn loaded: False"
    assert int(lines[1].split(": ")[1]) >= 3 and lines[2] == "same as OpTagger: True"
