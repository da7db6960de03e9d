"""Synthetic question lists that look like the shipped ones in sources/, at any size, deterministically.

Every layout of the seeds (`Title` + `1.`, `1. Title` + `- 1.1.`, `Title` + `- 1.`), Markdown reviews
in their own files joining papers of other files, Russian questions of 100-400 characters, about a
third with formulas in each style the seeds use (`$..$`, bare `E_1, \\dots, E_n`, a lone `\\odot`,
lone letters such as `размерности d`). Formulas are built from random parts, so most are distinct:
a cache keyed by formula text gets only the repetition a real archive has.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

WORDS = (
    "модель распределение градиент функция потерь обучение выборка сеть слой параметр оценка метод "
    "алгоритм задача пространство матрица вектор признак кодировщик декодер внимание энергия "
    "вероятность правдоподобие регуляризация ошибка обобщение оптимизация инициализация веса "
    "преобразование последовательность трансформер генерация классификатор эксперимент авторы статья "
    "предположение теорема доказательство сложность память время качество данные шум температура"
).split()
OPENERS = (
    "Как авторы определяют",
    "Опишите",
    "Выпишите формулу для",
    "Чем отличается",
    "Зачем нужны",
    "В чем заключается идея",
    "Какие преимущества дает",
    "Сформулируйте",
    "Приведите пример, когда",
    "Объясните, как устроены",
    "Как меняется",
    "Выведите",
)
TITLE_WORDS = (
    "Neural Deep Sparse Learning Networks Models Attention Energy Based Generative Gradient Stochastic "
    "Optimal Transport Kernel Tangent Equilibrium Lottery Ticket Masked Language Scaling Laws Discrete "
    "Variational Inference Bayesian Contrastive Representation Graph Diffusion Flows Implicit Robust "
    "Adversarial Efficient Linear Recurrent Convolutional Residual Normalizing Score Matching Reinforcement "
    "Policy Meta Few Shot Transfer Pretraining Tokens Vision Memory Hopfield Fourier Features Dynamics"
).split()
GREEK = ("\\lambda", "\\theta", "\\mu", "\\sigma", "\\alpha", "\\beta", "\\varepsilon", "\\phi", "\\pi", "\\gamma")
LATIN = "abcdfghkmnpqrstuvwxyzABDEFHKLMNPQRSTUVWXZ"
FUNCS = ("\\exp", "\\log", "\\min", "\\max", "\\sin")
NAMES = ("Иванов Петр", "Смирнова Анна", "Цыганов Артем", "Кузнецова Мария", "Попов Илья", "Соколова Ольга")


def _var(rng: random.Random) -> str:
    return rng.choice(GREEK) if rng.random() < 0.3 else rng.choice(LATIN)


def formula(rng: random.Random) -> str:
    """A formula's TeX, drawn from the shapes the seeds use, with random letters and indices."""
    a, b, c = _var(rng), _var(rng), _var(rng)
    i, n = rng.choice("ijkt"), rng.choice("nmNKT")
    k = rng.randint(1, 9)
    shapes = (
        f"{a}_1, \\dots, {a}_{n}",
        f"{b} = \\min_{i} {a}_{i}",
        f"{i}^* = \\arg\\min_{i} {a}_{i}",
        f"E_{{\\{{p(z | {a})\\}}}} f(z)",
        f"{a}, {b} \\in \\mathbb{{R}}^{n}",
        f"f({a}, {b}) = ({a}, {b} \\odot {rng.choice(FUNCS)}(s({a})) + t({a}))",
        f"p(x_{i} \\mid x_{{1:({i}-{k})}})",
        f"L({n}, D)",
        f"{a}^{{{k}}} + {b}_{{{i}{k}}}",
        f"\\frac{{{a}}}{{{b} + {k}}}",
        f"\\sum_{{{i}=1}}^{n} {a}_{i} {b}_{i}",
        f"\\|{a} - {c}\\|_{k}",
    )
    return rng.choice(shapes)


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def question(rng: random.Random, opener: str) -> str:
    """A Russian question of 100-400 characters; about a third carry formulas."""
    target = rng.randint(100, 400)
    parts = [f"{opener} {_words(rng, 3)}"]
    if rng.random() < 1 / 3:
        style = rng.random()
        if style < 0.55:
            parts.append(f"${formula(rng)}$")  # delimited, as in seminar-01/02
        elif style < 0.75:
            parts.append(f"Пусть {rng.choice(LATIN)}_1, \\dots, {rng.choice(LATIN)}_{rng.choice('nmk')} независимые")
        elif style < 0.9:
            parts.append(f"а \\odot обозначает {_words(rng, 2)}")  # a bare macro
        else:
            parts.append(f"для {rng.randint(2, 99)} сэмплов размерности {rng.choice('dnkm')}")  # lone letters
    while sum(len(p) + 1 for p in parts) < target - 10:
        parts.append(_words(rng, 2) + rng.choice((",", "", "", ".")))
    text = " ".join(parts).rstrip(",.")
    if len(text) > target:
        text = text[:target].rsplit(" ", 1)[0].rstrip(",.")
        if text.count("$") % 2:  # never cut a formula in two
            text = text[: text.rfind("$")].rstrip()
    while len(text) < 99:
        text += " " + _words(rng, 1)
    return text + "?"


@dataclass(slots=True)
class Paper:
    title: str
    questions: list[str]


def _title(rng: random.Random, taken: set[str]) -> str:
    while True:
        words = rng.sample(TITLE_WORDS, rng.randint(3, 7))
        title = " ".join(words)
        key = title.lower()
        if key not in taken:
            taken.add(key)
            return title


def _layout(rng: random.Random, papers: list[Paper]) -> str:
    """One file in one of the seeds' layouts."""
    style = rng.randrange(3)
    out = ["", ""]
    for number, paper in enumerate(papers, 1):
        if style == 0:  # seminar-01/02: a title line, then `1.` questions
            out.append(paper.title + "\n")
            out += [f"{i}. {q}" for i, q in enumerate(paper.questions, 1)]
        elif style == 1:  # seminar-03: `1. Title`, then `- 1.1.` questions
            out.append(f"{number}. {paper.title}\n")
            out += [f"- {number}.{i}. {q}" for i, q in enumerate(paper.questions, 1)]
        else:  # seminar-04: a title line, then `- 1.` questions
            out.append(paper.title + "\n")
            out += [f"- {i}. {q}" for i, q in enumerate(paper.questions, 1)]
        out.append("")
    return "\n".join(out) + "\n"


def _review(rng: random.Random, title: str) -> str:
    paragraphs = [
        f"{_words(rng, 6).capitalize()} ${formula(rng)}$ {_words(rng, 8)}."
        if rng.random() < 0.3
        else f"{_words(rng, 14).capitalize()}."
        for _ in range(rng.randint(3, 8))
    ]
    authors = ", ".join(
        rng.sample(
            (
                "Will Grathwohl",
                "Kevin Swersky",
                "David Duvenaud",
                "Ilya Sutskever",
                "Yann LeCun",
                "Diederik Kingma",
                "Max Welling",
            ),
            3,
        )
    )
    return (
        f"\n\n## Исследование статьи **{title.upper()}**\n\n({authors})\n\n"
        f"Автор исследования: {rng.choice(NAMES)}\n\n" + "\n\n".join(paragraphs) + "\n"
    )


def write_corpus(folder: Path, questions: int, seed: int = 7) -> dict[str, int]:
    """Write about `questions` questions as lists and reviews into `folder`; returns counts."""
    rng = random.Random(f"{seed}:{questions}")
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    papers: list[Paper] = []
    total = 0
    while total < questions:
        count = min(rng.randint(3, 5), questions - total) if questions - total >= 3 else questions - total
        papers.append(Paper(_title(rng, taken), [question(rng, rng.choice(OPENERS)) for _ in range(count)]))
        total += count
    files = reviews = 0
    i = 0
    while i < len(papers):
        group = papers[i : i + rng.randint(3, 8)]
        i += len(group)
        text = _layout(rng, group)
        data = text.encode("utf-8")
        flavour = rng.random()
        if flavour < 0.05:
            data = text.replace("\n", "\r\n").encode("utf-8")  # Windows line ends
        elif flavour < 0.08:
            data = b"\xef\xbb\xbf" + data  # a BOM
        (folder / f"seminar-{files + 1:05d}.txt").write_bytes(data)
        files += 1
        for paper in group:
            if rng.random() < 0.1:
                reviews += 1
                (folder / f"review-{reviews:05d}.md").write_text(_review(rng, paper.title), "utf-8")
    return {"papers": len(papers), "questions": total, "reviews": reviews, "files": files + reviews}
