"""The LaTeX normaliser (issue 3): every formula reaches Anki as MathJax that typesets; prose stays prose."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, SOURCES, import_packages
from mathjax_check import typeset_errors

import papers2anki
from papers2anki.latex import find_math
from papers2anki.mathcheck import check_formula
from papers2anki.render import render_markdown

# input Markdown -> the field's HTML, as the renderer must produce it
CASES = [
    # delimited math
    (r"вид $E_{\{p(z | \theta)\}} f(z)$. Какие", r"вид \(E_{\{p(z | \theta)\}} f(z)\). Какие"),
    (r"$$\sum_i x_i$$", r"\[\sum_i x_i\]"),
    (r"\(x\) и \[y\]", r"\(x\) и \[y\]"),
    (r"\begin{align*} a &= b \\ c &= d \end{align*}", r"\[\begin{align*} a &amp;= b \\ c &amp;= d \end{align*}\]"),
    ("Процесс:\n$$\nx^2\n$$\nи всё", "Процесс:\n\\[x^2\\]\nи всё"),
    (r"$a < b$ и $c > d$", r"\(a &lt; b\) и \(c &gt; d\)"),
    (r"$x * y * z$ и $a_b_c$", r"\(x * y * z\) и \(a_b_c\)"),
    (r"цена \$5 за штуку", "цена $5 за штуку"),
    (r"код `$x$` остаётся кодом", "код <code>$x$</code> остаётся кодом"),
    # bare LaTeX in Russian prose: the whole run is one formula
    (r"Пусть E_1, \dots, E_n независимые", r"Пусть \(E_1, \dots, E_n\) независимые"),
    (r"а \odot обозначает", r"а \(\odot\) обозначает"),
    (r"шум \bar\alpha_t на шаге", r"шум \(\bar\alpha_t\) на шаге"),
    (r"Сравните x_{1:(i-1)} и p(x_i)", r"Сравните \(x_{1:(i-1)}\) и \(p(x_i)\)"),
    (r"множество \{a\} и норма \|x\|", r"множество \(\{a\}\) и норма \(\|x\|\)"),
    (r"при k = 5 и x^2 + y^2", r"при \(k = 5\) и \(x^2 + y^2\)"),
    (r"(где \lambda > 0)", r"(где \(\lambda &gt; 0\))"),
    # lone Latin letters used as variables
    ("размерности d ?", r"размерности \(d\) ?"),
    ("для n сэмплов", r"для \(n\) сэмплов"),
    ("на i -ой итерации", r"на \(i\) -ой итерации"),
    ("матрицы Q, K и V", r"матрицы \(Q\), \(K\) и \(V\)"),
    # text that must stay text
    ("авторы Your Classifier is Secretly an Energy Based Model от", None),
    ("Hopfield Networks is all you need", None),
    ("модели ResNet, BLEU, AlexNet, MNIST, ReLU-активациями, Self-Blue, DEQ, NTK", None),
    ("статья A tutorial on energy-based learning, M Ranzato and F Huang", None),
    ("I think a model is good", None),
    ("A/B тестирование и U-Net", None),
    ("см. e.g. раздел 3.2, GPT-2 и т.е.", None),
    ("в 2020 году на ICLR", None),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_field_text(source: str, expected: str | None) -> None:
    assert render_markdown(source, inline=True).html == (
        html.escape(source, quote=False) if expected is None else expected
    )


# Where a `$` pairs (issue 12), one rule a row: text, the `$`/`$$` formulas found, the offsets of
# the `unbalanced-dollar` problems.
ITEM_LINES = ["- b", "* b", "+ b", "1. b", "1) b", "1.2 b", "(1) b", "Вопрос 1. b", "Q1: b", "• b", "1\u00a0b"]
ITEM_LINES += ["1\tb", "а) b", "  - b", "# b", "## b"]
DOLLAR_CASES = [
    # a formula may wrap lines within its paragraph
    pytest.param("x $a +\n  b$ y", ["a +\n  b"], [], id="wraps-a-line"),
    pytest.param("$$\nx^2\n$$", ["x^2"], [], id="display-over-lines"),
    pytest.param("$a\n-b$", ["a\n-b"], [], id="no-item-without-gap"),
    pytest.param("$a\n#b$", ["a\n#b"], [], id="no-heading-without-space"),
    pytest.param("$a\nВ b$", ["a\nВ b"], [], id="no-item-in-a-word"),
    # never across a blank line
    pytest.param("$a\n\nb$", [], [0, 5], id="blank-line"),
    pytest.param("$a\n \t\nb$", [], [0, 7], id="blank-line-of-spaces"),
    pytest.param("$$a\n\nb$$", [], [0, 6], id="display-blank-line"),
    pytest.param("$a\nQ\n\n12 b$", [], [0, 10], id="blank-line-after-a-marker-word"),
    # never across a list item, question or heading line
    *(pytest.param(f"$a\n{line}$", [], [0, len(line) + 3], id=f"item-{line}") for line in ITEM_LINES),
    pytest.param("$$a\n- Вопрос b$$", [], [0, 14], id="display-item"),
    pytest.param("x $$a\n- b$$", [], [2, 9], id="display-mid-line-item"),
    # display math opened at a line's start may hold list-like lines of math
    pytest.param("$$a\n- b$$", ["a\n- b"], [], id="display-math-line"),
    pytest.param(
        "$$\n\\begin{aligned}\na &= b \\\\\n- c &= d\n\\end{aligned}\n$$",
        ["\\begin{aligned}\na &= b \\\\\n- c &= d\n\\end{aligned}"],
        [],
        id="aligned-block",
    ),
    # an unclosed `$` is reported at that `$`; what follows is read on its own
    pytest.param("1. $x\n2. $y$", ["y"], [3], id="unclosed-then-item"),
    pytest.param("a $x\n\nb $y$ c", ["y"], [2], id="unclosed-then-paragraph"),
    pytest.param("a $x\n- b\n- c $y$", ["y"], [2], id="unclosed-then-list"),
    # money is text, never an error
    pytest.param("$5", [], [], id="money-alone"),
    pytest.param("стоит $300 за эпоху", [], [], id="money-unclosed"),
    pytest.param("бюджет $1.5M.", [], [], id="money-magnitude"),
    pytest.param("стоит $5, а эпоха $300", [], [], id="money-twice-around-words"),
    pytest.param("$5 или $10 в день", [], [], id="money-then-money"),
    pytest.param("цена $5, а формула $x$", ["x"], [], id="money-then-formula"),
    # a number in a formula is no money
    pytest.param("$5$ и $2^n$", ["5", "2^n"], [], id="number-closed"),
    pytest.param("$1 + x$", ["1 + x"], [], id="number-then-math"),
    pytest.param("$1, 2, 3$", ["1, 2, 3"], [], id="numbers"),
    pytest.param("$3 \\text{ кг}$", ["3 \\text{ кг}"], [], id="cyrillic-in-text"),
    pytest.param("$2k + 1$ раз", ["2k + 1"], [], id="number-with-letter"),
]


@pytest.mark.parametrize(("text", "formulas", "offsets"), DOLLAR_CASES)
def test_dollar_pairing(text: str, formulas: list[str], offsets: list[int]) -> None:
    spans, problems = find_math(text)
    assert [s.tex for s in spans if s.kind in ("dollar", "double-dollar")] == formulas
    assert [(p.offset, p.rule) for p in problems] == [(offset, "unbalanced-dollar") for offset in offsets]
    assert not [s for s in spans if s.kind not in ("dollar", "double-dollar") and "$" in text[s.start : s.end]]


def test_the_parser_and_the_fields_read_a_dollar_alike() -> None:
    from papers2anki.parse import PROTECT, protect_math

    text = "1. Вопрос с $x открыт\n2. Второй вопрос $y$?\n3. Стоит $5, а эпоха $300\n"
    protected = protect_math(text)
    assert protected.split("\n")[0] == "1. Вопрос с $x открыт"
    assert protected.split("\n")[1] == "2. Второй вопрос " + PROTECT * 3 + "?"
    assert protected.split("\n")[2] == "3. Стоит $5, а эпоха $300"


def formulas_in(field_html: str) -> list[tuple[str, bool]]:
    """The formulas MathJax will find: \\(..\\) and \\[..\\] in the text the browser shows."""
    text = html.unescape(re.sub(r"<[^>]+>", "", field_html))
    found = [(m.group(1), False) for m in re.finditer(r"\\\((.*?)\\\)", text, re.S)]
    found += [(m.group(1), True) for m in re.finditer(r"\\\[(.*?)\\\]", text, re.S)]
    return found


def imported_fields(tmp_path: Path, collection, sources: list[Path]) -> list[str]:  # type: ignore[no-untyped-def]
    report = papers2anki.build(papers2anki.load(sources), tmp_path / "decks", lock_path=tmp_path / "lock")
    import_packages(collection, [d.file for d in report.decks])
    fields = [f for nid in collection.find_notes("") for f in collection.get_note(nid).fields]
    return fields + [d["desc"] for d in collection.decks.all()]


def test_shipped_sources_acceptance(tmp_path: Path, collection) -> None:
    fields = imported_fields(tmp_path, collection, [SOURCES])
    assert not any("$" in f for f in fields)
    formulas = [tex for f in fields for tex, _ in formulas_in(f)]
    for whole in (
        r"E_1, \dots, E_n",
        r"\lambda_1, \dots, \lambda_n",
        r"E_{\{p(z | \theta)\}} f(z)",
        r"f(x, y) = (x, y \odot \exp(s(x)) + t(x))",
        r"p(x_i \mid x_{1:(i-1)})",
        r"\odot",
    ):
        assert whole in formulas, whole
    assert "y \\odot \\exp(s(x)) + t(x)" in "".join(formulas)
    joined = "\n".join(fields)
    for variable in (r"на \(i\) -ой", r"для \(n\) сэмплов", r"размерности \(d\)"):
        assert variable in joined
    assert not [tex for tex in formulas if re.search(r"[А-Яа-яЁё]", tex)]
    english = [
        "Your",
        "Classifier",
        "Secretly",
        "Energy",
        "ResNet",
        "BLEU",
        "AlexNet",
        "MNIST",
        "ReLU",
        "Self-Blue",
        "DEQ",
        "NTK",
        "Hopfield",
        "Networks",
        "Ranzato",
        "Huang",
        "Gumbel",
        "Softmax",
    ]
    assert not [tex for tex in formulas if any(word in tex for word in english)]


def test_every_formula_typesets_in_mathjax(tmp_path: Path, collection) -> None:
    fields = imported_fields(tmp_path, collection, [SOURCES, FIXTURES / "layouts", FIXTURES / "answers"])
    formulas = sorted({f for field in fields for f in formulas_in(field)})
    assert len(formulas) >= 40
    errors = typeset_errors(formulas)
    failed = [(tex, err) for (tex, _), err in zip(formulas, errors, strict=True) if err]
    assert failed == []


def test_the_typesetter_does_fail_on_broken_formulas() -> None:
    assert all(typeset_errors([(r"\frac{1}{", False), (r"\foobarbaz", False), (r"x^2_", False)]))


@pytest.mark.parametrize(
    ("tex", "rule"),
    [
        (r"\frac{1}{", "latex-syntax"),
        (r"a}", "latex-syntax"),
        (r"\left( x", "unbalanced-left-right"),
        (r"x \right)", "unbalanced-left-right"),
        (r"\foobarbaz{x}", "unknown-macro"),
        (r"\begin{tikzpicture}x\end{tikzpicture}", "unknown-environment"),
        (r"a & b", "misplaced-ampersand"),
        (r"x^2_", "dangling-script"),
    ],
)
def test_validation_reports_what_mathjax_rejects(tex: str, rule: str) -> None:
    problems = check_formula(tex)
    assert [p.rule for p in problems] == [rule]
    assert typeset_errors([(tex, False)])[0], "MathJax accepts what we reject"


@pytest.mark.parametrize(
    "tex", [r"E_{\{p(z | \theta)\}} f(z)", r"\begin{aligned} a &= b \end{aligned}", r"\left(x\right)"]
)
def test_validation_accepts_what_mathjax_accepts(tex: str) -> None:
    assert check_formula(tex) == ()
    assert typeset_errors([(tex, False)]) == [None]


def test_build_reports_formulas_and_located_warnings(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from papers2anki.cli import main

    bad = tmp_path / "list.txt"
    bad.write_text("Some Paper\n\n1. Вопрос про $\\foobarbaz{x}$ и всё.\n2. Второй $x^2$ вопрос?\n", "utf-8")
    result = CliRunner().invoke(main, ["build", str(bad), "--out", str(tmp_path / "d"), "--force"])
    assert f"{bad}:3:16: error: \\foobarbaz is not defined in Anki's MathJax" in result.output
    assert "2 formulas" in result.output
