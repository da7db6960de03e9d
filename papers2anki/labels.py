"""What a line says about its neighbours: an answer's label, a list's label, an authors or venue line,
a lone image, a question's first word. Patterns matched on a line's text or a block's words; the
parser's modules share them."""

from __future__ import annotations

import re

#: `Ответ:`, `**Решение.**`, `Answer -`: what follows is an answer
ANSWER_LABEL = re.compile(r"^\s*(?:\*\*|__)?(?:ответ|answer|решение|solution)\s*(?:\*\*|__)?\s*[:.—-]", re.I)
#: `Вопросы к статье:`: the list after it holds questions
QUESTIONS_LABEL = re.compile(r"^\s*(?:\*\*|__)?\s*(?:вопросы|questions)\b[^\n]*:\s*(?:\*\*|__)?\s*$", re.I)
#: an authors or venue line: `(Ho et al., 2020)`, `Авторы: ...`, a year, a conference
AUTHORS = re.compile(
    r"^\s*(?:\(.*\)|\[.*\]\(.*\)|(?:авторы|authors?|by)\s*:.*|.*\bet al\b.*|.*\b(?:19|20)\d\d\b.*|"
    r".*\b(?:NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|AAAI|IJCAI|arXiv|JMLR|TPAMI)\b.*)\s*$",
    re.I,
)
#: a line that is only an image; its alt text in group 1
ONLY_IMAGE = re.compile(r"^\s*!\[([^\]]*)\]\([^)]*\)\s*$")
#: a question's first word: `Что`, `Как`, `Докажите`, ...
QUESTION_WORDS = re.compile(
    r"^(?:что|как|почему|зачем|какие|какой|какая|каким|в чем|в чём|чем|опишите|выпишите|выведите|объясните|"
    r"сформулируйте|докажите|приведите|назовите|сравните|расскажите|перечислите|определите|покажите|запишите)\b",
    re.I,
)
