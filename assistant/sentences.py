"""Answer units (sentences, or a sentence with the one that continues it) and how well they answer a question.

Pure functions over text; the answerer supplies embeddings and corpus statistics.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from assistant.ingest.reflow import Sentence, reading_text, segment
from assistant.text import STOPWORDS, stem, words
from assistant.types import Hit

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20, "thirty": 30,
}  # fmt: skip
AUXILIARIES = {"does", "do", "did", "is", "are", "was", "were", "has", "have", "had", "can", "could", "will",
               "would", "should", "must", "may"}  # fmt: skip
NEGATION = re.compile(r"\b(not|no|never|neither|nor|without|cannot)\b|n't\b", re.IGNORECASE)
_UNIVERSAL = re.compile(r"\b(all|every|each|both)\b", re.IGNORECASE)
# A sentence that cannot stand alone: it continues the one before it.
CONTINUES = re.compile(
    r"^((\w+\s+){0,2}(this|these|those|such)\b|(that|it|they)\b|for (example|instance)\b|as a result\b)", re.I
)
_ACRONYM_DEF = re.compile(r"\b((?:[A-Z][\w.’'-]*\s+(?:(?:of|and|the|for|on)\s+)*){1,6})\(([A-Z][A-Za-z]{1,9})\)")


@dataclass(frozen=True)
class Unit:
    """A passage that may answer a question: one sentence, or a sentence and its continuation.

    ``spans`` holds the unit's sentences, each the tuple of verbatim source spans it covers.
    """

    hit: Hit
    spans: tuple[Sentence, ...]
    text: str  # reading text (markup removed)
    context: str = ""  # section heading, used for matching only
    parts: tuple[str, ...] = ()  # a pair's two sentences, as read (their vectors make the pair's)

    @property
    def reading(self) -> str:
        return f"{self.context}: {self.text}" if self.context else self.text


def units_from_hits(hits: list[Hit], source_text: Callable[[str], str]) -> list[Unit]:
    """Sentences of the retrieved chunks (tables are answered from their cells), plus pairs where a sentence
    continues the one before it ("This has resulted in ...")."""
    units: list[Unit] = []
    seen: set[tuple[str, tuple[Sentence, ...]]] = set()
    for hit in hits:
        chunk = hit.chunk
        if chunk.kind in ("table", "table_row"):
            continue  # cells are answered by the table route; the rows' footnotes are chunks of their own
        # the innermost heading: what the sentence is about (the whole path would add words to every view)
        context = chunk.section.rsplit(" > ", 1)[-1] if chunk.section != chunk.title else ""
        text = source_text(chunk.source)
        sentences = chunk.sentence_spans() if chunk.sentences else segment(text, [(chunk.char_start, chunk.char_end)])
        texts = [reading_text(text, s) for s in sentences]
        for i, (sentence, reading) in enumerate(zip(sentences, texts, strict=True)):
            candidates: list[tuple[tuple[Sentence, ...], str, tuple[str, ...]]] = [((sentence,), reading, ())]
            if i + 1 < len(sentences) and CONTINUES.match(texts[i + 1]):
                pair = (reading, texts[i + 1])
                candidates.append(((sentence, sentences[i + 1]), " ".join(pair), pair))
            for key, joined, parts in candidates:
                if (chunk.source, key) not in seen:
                    seen.add((chunk.source, key))
                    units.append(Unit(hit, key, joined, context, parts))
    return units


VIEW_SEPARATOR = "\x1f"  # between a view's heading and text in its key (never in reading text)


@dataclass(frozen=True)
class View:
    """A text the model reads for a unit, and the section heading it is read under.

    Its vector is composed from the text's and the heading's own vectors (``compose_views``): each heading is
    encoded once, not once per sentence under it (a third of the tokens at ingest)."""

    text: str
    context: str = ""
    parts: tuple[str, ...] = ()  # a pair: the two sentences whose tokens make its vector
    lead_of: str = ""  # a leading clause: the sentence it begins, whose pass reads its tokens

    @property
    def key(self) -> str:
        """Cache and store key: the text, with its heading in front when it has one."""
        return f"{self.context}{VIEW_SEPARATOR}{self.text}" if self.context else self.text


def views(unit: Unit) -> list[View]:
    """What to embed for a unit: itself under its heading and alone (a heading adds context but never takes
    meaning away: "What We Found" says nothing of the sentence under it), and its leading clause when it is
    long (the first clause of a long sentence often carries the fact: "GAO is making three recommendations,
    including ..."). Their best match is the unit's."""
    own = [View(unit.text, unit.context, unit.parts)] + ([View(unit.text, "", unit.parts)] if unit.context else [])
    if len(unit.reading.split()) <= 20:
        return own
    match = re.search(r"^(?:\S+\s+){4,}?\S+?,", unit.text)
    if not match:
        return own
    clause = match.group(0).rstrip(",")
    within = unit.parts[0] if unit.parts else unit.text
    return [*own, View(clause, unit.context, lead_of=within if len(clause) <= len(within) else "")]


def heading_weight(text: str, context: str) -> float:
    """Share of a heading in the vector of "heading: text". Mean pooling weighs every token alike, so the
    heading's share grows with its length; square roots of the word counts came closest to the vector of the
    two read together (cosine 0.94 on 600 sentences of the real reports, against 0.93 for plain word shares
    and 0.80 for the sentence alone)."""
    if not context:
        return 0.0
    h, t = math.sqrt(len(context.split()) + 1), math.sqrt(max(1, len(text.split())))
    return h / (h + t)


def compose_views(views_: list[View], plain: Callable[[str], np.ndarray]) -> np.ndarray:
    """Vectors of ``views_`` from ``plain`` (the vector of a text read alone): the text's, with its heading's
    mixed in by ``heading_weight`` and normalised. Ingest and answering both use this, so a view has one
    vector whichever made it."""
    out = []
    for view in views_:
        vector = plain(view.text)
        if view.context:
            w = heading_weight(view.text, view.context)
            vector = (1 - w) * vector + w * plain(view.context)
            vector = vector / (float(np.linalg.norm(vector)) or 1.0)
        out.append(vector)
    return np.stack(out).astype(np.float32) if out else np.zeros((0, 1), dtype=np.float32)


TokenVectors = tuple[np.ndarray, list[tuple[int, int]]]  # a text's contextual token vectors and their spans


def read_alone(
    views_: list[View],
    encode: Callable[[list[str]], np.ndarray],
    encode_tokens: Callable[[list[str]], list[TokenVectors]],
    known: Collection[str] = (),
) -> dict[str, np.ndarray]:
    """The vector of each text and heading of ``views_`` read alone (except those in ``known``), for
    :func:`compose_views`. No word is read twice: a leading clause is the mean of its tokens in the pass over
    the sentence it begins, and a pair the mean of its two sentences' tokens (cosine 0.95 to the pair read
    whole, on 200 pairs of the real reports, against 0.93 for the mean of the two sentence vectors)."""
    made_of = {v.text: v.parts or (v.lead_of,) for v in views_ if v.parts or v.lead_of}
    wanted = [t for t in dict.fromkeys(t for v in views_ for t in (v.text, v.context) if t) if t not in known]
    sources = list(dict.fromkeys(s for t in wanted if t in made_of for s in made_of[t]))
    derived = [t for t in wanted if t in made_of and t not in sources]
    direct = [t for t in wanted if t not in made_of and t not in sources]
    out = dict(zip(direct, encode(direct), strict=True))
    tokens = dict(zip(sources, encode_tokens(sources), strict=True))
    for text, (vectors, _) in tokens.items():
        out[text] = _unit(vectors.mean(axis=0))
    for text in derived:
        parts = [tokens[s] for s in made_of[text]]
        if len(parts) == 1:  # a clause: its own tokens (the sentence's first characters) in the sentence's pass
            vectors, offsets = parts[0]
            inside = [i for i, (a, b) in enumerate(offsets[: len(vectors)]) if b > a and b <= len(text)]
            out[text] = _unit(vectors[inside].mean(axis=0)) if inside else out[made_of[text][0]]
        else:  # a pair: every token of its sentences counts alike, as when the model pools a text
            out[text] = _unit(np.concatenate([v for v, _ in parts]).mean(axis=0))
    return out


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / (float(np.linalg.norm(vector)) or 1.0)).astype(np.float32)


PASSAGE_STEMS_KEPT = 100_000  # sentences and headings whose stems a Lexicon keeps (a few tens of MB at most)


@dataclass
class Lexicon:
    """Corpus statistics for lexical matching: document frequencies and acronym definitions."""

    df: dict[str, int] = field(default_factory=dict)
    n_chunks: int = 1
    acronyms: dict[str, str] = field(default_factory=dict)  # long form (lower) -> acronym
    expansions: dict[str, list[str]] = field(default_factory=dict)  # acronym (lower) -> its long forms
    # the stems of the reports' own sentences and headings, once each (folding is a pass over every acronym)
    _passage_stems: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def add_text(self, text: str) -> None:
        for long_form, acronym in _ACRONYM_DEF.findall(text):
            long_form = re.sub(r"^the\s+", "", " ".join(long_form.split()).lower())
            if long_form and long_form[0].lower() == acronym[0].lower() and long_form not in self.acronyms:
                self.acronyms[long_form] = acronym
                self.expansions.setdefault(acronym.lower(), []).append(long_form)

    def long_forms(self, acronym: str) -> list[str]:
        """The long forms the documents define for ``acronym`` ("office of refugee resettlement" for "ORR")."""
        return self.expansions.get(acronym.lower(), [])

    def fold(self, text: str) -> str:
        """Write defined long forms as their acronym, so "Department of Defense" matches "DOD"."""
        lower = text.lower()
        for long_form, acronym in self.acronyms.items():
            if long_form in lower:
                text = re.sub(re.escape(long_form), acronym, text, flags=re.IGNORECASE)
                lower = text.lower()
        return text

    def idf(self, token_stem: str) -> float:
        return math.log(1 + self.n_chunks / (1 + self.df.get(token_stem, 0)))

    def stems(self, text: str) -> set[str]:
        return {stem(w) for w in words(self.fold(text)) if w not in STOPWORDS}

    def passage_stems(self, text: str) -> frozenset[str]:
        """:meth:`stems` of a report's own text, kept (up to ``PASSAGE_STEMS_KEPT`` texts): never a question's."""
        found = self._passage_stems.get(text)
        if found is None:
            if len(self._passage_stems) >= PASSAGE_STEMS_KEPT:
                self._passage_stems.clear()
            found = self._passage_stems[text] = frozenset(self.stems(text))
        return found

    def coverage(self, question: str, unit: Unit) -> float:
        """IDF-weighted share of the question's content words found in the unit (section words count half)."""
        q = self.stems(question)
        if not q:
            return 0.0
        body = self.passage_stems(unit.text)
        context = self.passage_stems(unit.context)
        weights = {s: self.idf(s) for s in q}
        got = sum(w if s in body else 0.5 * w if s in context else 0.0 for s, w in weights.items())
        return got / sum(weights.values())


# A number as a report writes it: "3,002", "1.6", "42", "forty-two", "Twelve".
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
SPELLED_NUMBER = (  # a number written in words: "forty-two", "Twelve", "dozen"
    rf"(?:(?:{_TENS})(?:-(?:{_UNITS}))?|{_UNITS}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen|dozen)"
)
_NUMBER = re.compile(
    rf"(?<![\w$.,])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?![\w%]|,\d|\.\d)|\b{SPELLED_NUMBER}\b",
    re.IGNORECASE,
)
_YEAR = re.compile(
    r"(?:1[89]|20)\d\d"
)  # a bare four-digit number from 1800 to 2099 is a year; counts that large have commas
_PERCENT = re.compile(r"\s*(?:percent|per\s*cent|percentage)\b", re.IGNORECASE)
# A number right after a capitalised word inside the sentence names something ("Section 610", "Table 2",
# "H.R. 3268"); at the start of a sentence the word is only capitalised ("In 12 states", "Of 59 entities").
_LABEL = re.compile(r"(?<=\S)\s+[A-Z][\w.]*\s+$")
_COMPOUND = re.compile(
    r"-([A-Za-z]+)"
)  # "a 10-year plan", "the 18-month period": the number measures the joined word only
_COUNT_WINDOW = 5  # words after a number in which the counted thing may stand ("47 of the 59 recipients")
_TYPO_SIMILARITY = 80  # rapidfuzz ratio at which two words of five letters or more are taken as one misspelt


def _same_word(target: str, word: str) -> bool:
    """The same word (both stemmed), inflected ("recipients"/"recipient") or misspelt ("recipents", "quartrs")."""
    return target == word or (min(len(target), len(word)) >= 5 and fuzz.ratio(target, word) >= _TYPO_SIMILARITY)


def count_in(question: str, sentence: str) -> str | None:
    """The number in ``sentence``, as written, that counts what a "how many X" question asks about: a number
    with one of the question's words for X ("how many GAO employees" -> "employees") among the words after
    it ("a total of 3,002 employees", "47 of the 59 recipients")."""
    match = re.search(r"\bhow\s+many\s+(.*)", question, re.IGNORECASE)
    if not match:
        return None
    targets = []
    for token in words(match.group(1))[:4]:
        if token in AUXILIARIES:
            break
        if token not in STOPWORDS:
            targets.append(stem(token))
    if not targets:
        return None
    for number in _NUMBER.finditer(sentence):
        rest = sentence[number.end() : number.end() + 80]
        if _YEAR.fullmatch(number.group(0)) or _PERCENT.match(rest) or _LABEL.search(sentence[: number.start()]):
            continue  # "the January 2025 version", "47 percent of recipients", "Section 610 requires": not counts
        compound = _COMPOUND.match(rest)
        after = (
            [stem(compound.group(1).lower())]
            if compound
            else [stem(w) for w in words(rest) if not _NUMBER.fullmatch(w)]
        )
        if any(_same_word(t, w) for t in targets for w in after[:_COUNT_WINDOW]):
            return number.group(0)
    return None


def best_clause(question: str, sentence: str) -> str:
    """The clause of ``sentence`` that shares most content words with ``question``."""
    clauses = _clauses(sentence)
    q = {stem(w) for w in words(question) if w not in STOPWORDS}
    return max(clauses, key=lambda c: len(q & {stem(w) for w in words(c)}))


def _partly(question: str, sentence: str) -> bool:
    """The sentence also denies, in another clause, what the question asks about or what it affirms:
    "DOD concurred with two recommendations and did not concur with the third"."""

    def keys(text: str) -> set[str]:
        return {w[:5] for w in words(text) if w not in STOPWORDS and len(w) > 3}

    clauses = _clauses(sentence)
    affirmed = set().union(*(keys(c) for c in clauses if not NEGATION.search(c)))
    denied = set().union(*(keys(c) for c in clauses if NEGATION.search(c)))
    return bool(denied & (keys(question) | affirmed))


def _clauses(sentence: str) -> list[str]:
    return re.split(
        r",\s*(?:but|and|while|whereas)\s+|;\s*|\s+but\s+|\s+and\s+(?=did|does|has|have|is|are|was)", sentence
    )


_REQUEST = re.compile(r"^\W*(?:can|could|would|will)\s+(?:you|we|i)\b", re.IGNORECASE)


def is_request(question: str) -> bool:
    """ "Can you give an example?", "Could you summarize it?": a request put as a question, not a yes/no one."""
    return bool(_REQUEST.match(question))


def lead_for(question: str, sentence: str) -> str:
    """The direct answer that goes before the quoted sentence: Yes/No, or the number asked for."""
    q_words = words(question)
    if q_words and q_words[0] in AUXILIARIES and not is_request(question):
        q_neg = bool(NEGATION.search(question))
        s_neg = bool(NEGATION.search(best_clause(question, sentence)))
        if _UNIVERSAL.search(question) and NEGATION.search(sentence):
            s_neg = True  # "Did DOD concur with all ...?" -- "... and did not concur with the third."
        if not s_neg and not q_neg and _partly(question, sentence):
            return "Partly"  # "Did DOD concur?" -- "DOD concurred with two ... and did not concur with the third."
        return "No" if q_neg != s_neg else "Yes"
    count = count_in(question, sentence)
    return count[:1].upper() + count[1:] if count else ""
