"""The MathJax harness itself: it must reject bad TeX, accept good TeX, and the
checked-in TeX vocabulary must match what the generator produces."""

import subprocess

from mathjax_check import REPO, TOOLS, ensure_mathjax, typeset_errors


def test_reports_errors():
    errors = typeset_errors([(r"\foobarbaz", False), (r"\frac{1}{", False)])
    assert errors[0] == r"Undefined control sequence \foobarbaz"
    assert errors[1]  # "Missing close brace"


def test_accepts_valid_tex():
    formulas = [
        (r"E_{\{p(z | \theta)\}} f(z)", False),
        (r"y \odot \exp(s(x)) + t(x)", False),
        (r"\begin{align}a&=b\end{align}", True),
    ]
    assert typeset_errors(formulas) == [None, None, None]


def test_formulas_are_checked_independently():
    # A \def in one formula must not make the next one valid.
    errors = typeset_errors([(r"\def\foo{x}\foo", False), (r"\foo", False)])
    assert errors == [None, r"Undefined control sequence \foo"]


def test_tex_data_is_up_to_date(tmp_path):
    ensure_mathjax()
    out = tmp_path / "mathjax_tex.json"
    subprocess.run(["node", str(TOOLS / "gen_tex_data.mjs"), str(out)], cwd=REPO, check=True)
    committed = REPO / "papers2anki" / "data" / "mathjax_tex.json"
    assert committed.read_bytes() == out.read_bytes(), (
        "papers2anki/data/mathjax_tex.json is stale; rerun node tools/mathjax/gen_tex_data.mjs"
    )
