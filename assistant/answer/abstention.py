"""One calibrated decision whether the chosen evidence answers the question, instead of vetoes.

The evidence is described by a few features, each general (nothing about one report):

- ``support``: how well the best sentence matches the question (meaning and shared rare words, 0..1).
- ``coverage``: the IDF-weighted share of the question's content words found in the evidence (the chosen
  sentences, their passages and section headings).
- ``missing_numbers``: numbers the question states (years, amounts) that the evidence does not contain.
- ``missing_names``: names the question uses (capitalised words, acronyms) that the evidence does not
  contain, after acronyms and their long forms are resolved with the documents' own definitions.
- ``unknown_names``: names the question uses that the documents in scope never mention at all.
- ``type_mismatch``: the question asks for a kind of value (an amount, a percentage, a count, a date) and the
  answer sentences hold none.
- ``rarest_missing``: how rare (IDF, scaled to 0..1) the rarest content word of the question is that the evidence
  lacks (0 when it lacks none): a missing "deckhands" counts more than a missing "program".

A logistic model over them gives the probability that the evidence answers; below ``Settings.answer_min_probability``
the assistant says the report does not say. The weights are ``Settings`` fields fitted on the eval set's
``dev`` split with :func:`choose` (``python -m assistant.answer.calibration``); a best sentence below
``Settings.abstain_threshold`` support is never quoted (the relevance floor).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, fields
from functools import cache

import numpy as np

from assistant.answer.analysis import asked_type, shows_type
from assistant.answer.reports import REPORT_DATE, numbers_in
from assistant.ingest.wordlists import entries
from assistant.sentences import Lexicon
from assistant.text import STOPWORDS, stem, words

_NAME = re.compile(r"(?<![\w.])[A-Z][\w'’.&-]*[A-Za-z0-9]")
_NUMBER = re.compile(r"(?<![\w.,$-])\$?\d[\d,]*(?:\.\d+)?(?![\w-])")


@cache
def _reference_words() -> str:
    """``resources/reference_words.txt`` as a regex alternation ("table|figure|...")."""
    return "|".join(re.escape(w) for w in entries("reference_words"))


def _after_reference(before: str) -> bool:
    """Whether a number follows a word that points into the report ("Table 1", "the top 10")."""
    return re.search(rf"\b(?:{_reference_words()})\s+$", before, re.I) is not None


def _is_reference_word(token: str) -> bool:
    return re.fullmatch(_reference_words(), token, re.I) is not None


@dataclass(frozen=True)
class EvidenceFeatures:
    """What the abstention decision sees about the question and its evidence (see the module docstring)."""

    support: float
    coverage: float
    missing_numbers: int
    missing_names: int
    unknown_names: int
    type_mismatch: int
    rarest_missing: float

    def vector(self) -> np.ndarray:
        return np.array(astuple(self), dtype=float)


FEATURE_NAMES = tuple(f.name for f in fields(EvidenceFeatures))


@dataclass(frozen=True)
class AbstentionModel:
    """A logistic model: P(the evidence answers) = sigmoid(bias + weights . features)."""

    bias: float
    weights: tuple[float, ...]  # in FEATURE_NAMES order
    min_probability: float = 0.5
    min_support: float = 0.0  # below it nothing retrieved is about the question, whatever else holds

    def probability(self, features: EvidenceFeatures) -> float:
        z = self.bias + float(np.dot(np.array(self.weights), features.vector()))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def answers(self, features: EvidenceFeatures) -> bool:
        return features.support >= self.min_support and self.probability(features) >= self.min_probability


def question_numbers(question: str) -> list[str]:
    """Numbers the question states as facts (years, amounts, counts of two digits or more); not report numbers,
    the dates a question names a report by ("GAO's 2006 report"), or references such as "Table 1"."""
    naming = [m.span(2) for m in REPORT_DATE.finditer(question)]
    cores = " ".join(numbers_in(question))
    out = []
    for match in _NUMBER.finditer(question):
        value = match.group(0).lstrip("$").replace(",", "").rstrip(".")
        if any(s <= match.start() < e for s, e in naming) or _after_reference(question[: match.start()]):
            continue
        if value in cores.replace("-", " ").split() or (len(value) < 2 and not match.group(0).startswith("$")):
            continue
        out.append(value)
    return list(dict.fromkeys(out))


def question_names(question: str, ignore: Callable[[str], bool] | None = None) -> list[str]:
    """Capitalised words and acronyms of the question (its first word and stop words aside)."""
    first = re.match(r"\W*([\w'’.-]+)", question)
    names = []
    for match in _NAME.finditer(question):
        token = re.sub(r"['’]s$", "", match.group(0)).rstrip(".")
        if (first and match.start() == first.start(1)) or token.lower() in STOPWORDS:
            continue
        if numbers_in(token) or (ignore and ignore(token)) or _is_reference_word(token):
            continue
        names.append(token)
    return list(dict.fromkeys(names))


def required(question: str, lexicon: Lexicon, naming_stems: set[str], stated: str = "") -> tuple[list[str], list[str]]:
    """The names and the numbers the evidence must hold: those of what the user stated (``stated``, for a
    follow-up rewritten with words of earlier turns), without the words that name the report (its title's
    words, "GAO", "GAO's 2006 report"). Names in a frame that names the report ("In GAO's March 2026 write-up
    of X, ...") still count: reading them as the report's name (question_proper) made the decision answer
    questions it should decline (session 11: dev abstention 0.846 -> 0.692 with the weights fitted as they are)."""
    asked = stated or question

    def names_report(token: str) -> bool:
        return stem(token.lower()) in naming_stems or token.upper() == "GAO"

    return question_names(lexicon.fold(asked), ignore=names_report), question_numbers(asked)


def word_set(text: str) -> set[str]:
    """The words of ``text`` as :func:`missing` compares them: lower case, with stems, dotless and comma-free."""
    plain = text.lower().replace("’", "'").replace(",", "")
    tokens = words(plain)
    marked = re.findall(r"[\w.&'-]+", plain)  # "u.s.", "r&d", "covid-19" as written
    return (
        set(tokens)
        | {stem(w) for w in tokens}
        | {w.strip(".'-") for w in marked}
        | {w.replace(".", "") for w in marked}
    )


def missing(tokens: Sequence[str], vocabulary: set[str], lexicon: Lexicon | None = None) -> list[str]:
    """The tokens (names or numbers) not in ``vocabulary`` (a :func:`word_set`); with a ``lexicon``, an acronym
    counts as present when all the words of a long form the documents define for it are."""
    out = []
    for token in tokens:
        key = token.lower().replace("’", "'").replace(",", "")
        dotless = key.replace(".", "")
        if {key, stem(key), dotless} & vocabulary:
            continue
        long_forms = lexicon.long_forms(token) if lexicon else []
        if any(_all_words_in(long_form, vocabulary) for long_form in long_forms):
            continue
        out.append(token)
    return out


def _all_words_in(phrase: str, vocabulary: set[str]) -> bool:
    content = [w for w in words(phrase) if w not in STOPWORDS]
    return bool(content) and all(w in vocabulary or stem(w) in vocabulary for w in content)


def coverage(question_stems: dict[str, float], text: str) -> float:
    """IDF-weighted share of the question's stems found in ``text`` (``question_stems``: stem -> idf)."""
    total = sum(question_stems.values())
    if not total:
        return 1.0
    found = {stem(w) for w in words(text) if w not in STOPWORDS}
    return sum(w for s, w in question_stems.items() if s in found) / total


def evidence_features(
    question: str,
    answer_text: str,
    context: str,
    support: float,
    lexicon: Lexicon,
    scope_vocabulary: set[str],
    naming_stems: set[str],
    stated: str = "",
    lead_context: str = "",
) -> EvidenceFeatures:
    """The features of one question and its chosen evidence.

    Args:
        question: The user's own question.
        answer_text: The sentences chosen to answer it.
        context: The evidence they sit in (the answer sentences, their passages and section headings).
        support: The best sentence's support score.
        lexicon: Corpus statistics and the documents' acronym definitions ("Long Form (ACR)").
        scope_vocabulary: :func:`word_set` of the documents in scope (for names they never mention).
        naming_stems: Stems that only name the report (its title's words): not required in the evidence.
        stated: What the user typed, when ``question`` is a follow-up rewritten with words of earlier turns:
            only the names and numbers the user stated are required in the evidence.
        lead_context: The passage of the sentence that answers first (default: ``context``). The numbers the
            question states must be in it: "how many ... in fiscal year 2025?" is not answered by a count for
            2022 through 2024 that sits beside another passage mentioning 2025.
    """
    folded_question = lexicon.fold(question)
    folded_context = lexicon.fold(context)
    context_words = word_set(folded_context) | word_set(context)
    lead_words = word_set(lead_context) if lead_context else context_words

    names, numbers = required(question, lexicon, naming_stems, stated)
    stems = {
        s: lexicon.idf(s)
        for s in (stem(w) for w in words(folded_question) if w not in STOPWORDS and not w.isdigit())
        if s not in naming_stems
    }
    kind = asked_type(question)
    found = {stem(w) for w in words(folded_context + " " + context) if w not in STOPWORDS}
    # words the corpus never uses (typos, everyday paraphrases) say nothing about whether this passage answers
    absent = [idf for s, idf in stems.items() if s not in found and lexicon.df.get(s, 0) > 0]
    scale = math.log(1 + lexicon.n_chunks) or 1.0
    return EvidenceFeatures(
        support=float(support),
        coverage=coverage(stems, folded_context + " " + context),
        missing_numbers=len(missing(numbers, lead_words)),
        missing_names=len(missing(names, context_words, lexicon)),
        unknown_names=len(missing(names, scope_vocabulary, lexicon)),
        type_mismatch=int(bool(kind) and not shows_type(kind, answer_text)),
        rarest_missing=max(absent, default=0.0) / scale,
    )


# The sign each weight must have: more support and coverage can only argue for answering, anything missing only
# against it. A fit that wants the other sign (a side effect of correlated features) drops the feature instead.
WEIGHT_SIGNS = (1, 1, -1, -1, -1, -1, -1)
# What each weight is before any data (the L2 penalty pulls towards these, not towards 0), so a feature the
# calibration set rarely exercises keeps a sensible weight: a name the documents never mention at all is strong
# evidence that they cannot answer, even if only a few calibration questions use such names.
WEIGHT_PRIORS = (2.0, 1.0, -2.0, -1.0, -3.0, -2.0, -1.0)


def fit(
    features: Sequence[EvidenceFeatures],
    answerable: Sequence[bool],
    l2: float = 1.0,
    answerable_weight: float = 1.0,
    signs: Sequence[int] = WEIGHT_SIGNS,
    priors: Sequence[float] = WEIGHT_PRIORS,
    steps: int = 200,
) -> tuple[float, tuple[float, ...]]:
    """Fit (bias, weights) of the logistic model: Newton's method with an L2 penalty pulling each weight towards
    its prior in ``priors`` (a Gaussian prior; the fit is its MAP estimate), each weight kept to its sign in
    ``signs`` (a weight that comes out with the wrong sign is fixed at 0 and the rest refit).

    ``answerable_weight`` weighs the answerable examples (above 1: false abstentions cost more than answering an
    unanswerable question). Pure numpy; deterministic.
    """
    x = np.array([f.vector() for f in features], dtype=float)
    y = np.array(answerable, dtype=float)
    sample = np.where(y > 0, answerable_weight, 1.0)
    active = [True] * x.shape[1]
    while True:
        columns = [i for i, on in enumerate(active) if on]
        prior = np.array([0.0] + [priors[i] for i in columns])
        theta = _newton(np.hstack([np.ones((len(x), 1)), x[:, columns]]), y, sample, l2, prior, steps)
        weights = [0.0] * x.shape[1]
        for i, w in zip(columns, theta[1:], strict=True):
            weights[i] = float(w)
        wrong = [i for i in columns if signs[i] and weights[i] * signs[i] < 0]
        if not wrong:
            return float(theta[0]), tuple(weights)
        worst = max(wrong, key=lambda i: abs(weights[i]))
        active[worst] = False


def _newton(
    design: np.ndarray, y: np.ndarray, sample: np.ndarray, l2: float, prior: np.ndarray, steps: int
) -> np.ndarray:
    theta = prior.copy()
    rate = float(np.clip(np.average(y, weights=sample), 0.01, 0.99))
    theta[0] = math.log(rate / (1 - rate)) - float(design[:, 1:].mean(axis=0) @ prior[1:])  # start at the base rate
    penalty = np.eye(design.shape[1]) * l2
    penalty[0, 0] = 0.0  # the bias is not penalised
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ theta, -50, 50)))
        gradient = design.T @ (sample * (p - y)) + penalty @ (theta - prior)
        hessian = (design * (sample * p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(theta)), gradient)
        step *= min(1.0, 5.0 / (float(np.abs(step).max()) or 1.0))  # damped: no leap when the curvature is flat
        theta = theta - step
        if float(np.abs(step).max()) < 1e-9:
            break
    return theta


def choose(
    features: Sequence[EvidenceFeatures],
    answerable: Sequence[bool],
    max_false_abstention: float,
    l2: float = 1.0,
    weights_grid: Sequence[float] = (1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08),
) -> tuple[float, tuple[float, ...], float]:
    """The fit that abstains on the most unanswerable examples while abstaining on at most
    ``max_false_abstention`` of the answerable ones: (bias, weights, the answerable weight chosen)."""
    best: tuple[int, float, tuple[float, ...], float] | None = None
    n_answerable = max(1, sum(answerable))
    for weight in weights_grid:
        bias, fitted = fit(features, answerable, l2=l2, answerable_weight=weight)
        model = AbstentionModel(bias, fitted)
        declined = [not model.answers(f) for f in features]
        false = sum(d and a for d, a in zip(declined, answerable, strict=True)) / n_answerable
        right = sum(d and not a for d, a in zip(declined, answerable, strict=True))
        if false <= max_false_abstention and (best is None or right > best[0]):
            best = (right, bias, fitted, weight)
    if best is None:
        bias, fitted = fit(features, answerable, l2=l2, answerable_weight=weights_grid[0])
        return bias, fitted, weights_grid[0]
    return best[1], best[2], best[3]
