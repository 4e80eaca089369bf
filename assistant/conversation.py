"""Follow-up question -> standalone question, without an LLM.

Handles ellipsis ("And Cape Fern?", "What about the third one?"), pronouns ("Did they agree?") and bare
counts ("How many of them?") by reading the conversation so far. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.text import STOPWORDS, words

_ELLIPSIS = re.compile(
    r"^(?:and\s+)?(?:what|how)\s+about\s+(.+)$|^and\s+(?:for\s+|in\s+|with\s+)?(.+)$|^(?:same|likewise)\s+for\s+(.+)$",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.’'-][a-z0-9]+)*")
_ORDINALS = {
    "first": 0,
    "second": 1,
    "third": 2,
    "fourth": 3,
    "fifth": 4,
    "sixth": 5,
    "seventh": 6,
    "last": -1,
}
_ORDINAL_REF = re.compile(
    r"\bthe\s+(first|second|third|fourth|fifth|sixth|seventh|last)(?:\s+(?:one|item|of them))?\b", re.I
)
_PLURAL_PRONOUN = re.compile(r"\b(they|them|their|these|those)\b", re.IGNORECASE)
# "this"/"that" count as pronouns only where they stand alone ("Why does that matter?"), not "that DOD set".
_SINGULAR_PRONOUN = re.compile(
    r"\b(it|its)\b|\b(this|that)\b(?=\s*(?:[?.!,]|$|\b(?:is|was|mean|means|matter|matters|lead|led|happen|"
    r"happened|has|have|do|does|did)\b))",
    re.IGNORECASE,
)
# Words that carry no topic of their own in a follow-up ("Can you give an example?", "Tell me more").
_GENERIC = {"example", "examples", "explain", "elaborate", "detail", "details", "more", "mean", "meaning", "give",
            "else", "matter", "matters", "important", "happen", "happened", "continue", "go", "on", "instance",
            "why", "expand", "clarify", "specific", "specifically", "one", "ones"}  # fmt: skip
_COUNT_OF = re.compile(r"^how many(?:\s+of)?\s+(?:them|those|these|are there)\s*\??$", re.IGNORECASE)
_NAME = re.compile(r"(?:[A-Z][\w.’'-]*|of|the|and)(?:\s+(?:[A-Z][\w.’'-]*|of|the|and))*")
_REPORT_NUMBER = re.compile(r"[A-Za-z]{2,6}-\d{2}-\d{2,6}")  # a report's number is not swapped for a name
_QUESTION_START = {"what", "which", "who", "how", "why", "when", "where", "does", "do", "did", "is", "are", "was",
                   "were", "has", "have", "can", "could", "should", "will", "would"}  # fmt: skip


@dataclass
class EntityCatalog:
    """Names the condenser can recognise and swap: groups of interchangeable names (e.g. the stations of a
    table, its row labels), each name with its aliases in lower case."""

    groups: list[dict[str, list[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # alias (as tokens) -> (group, name); a name shared by several tables belongs to its first group
        self._aliases: dict[tuple[str, ...], tuple[int, str]] = {}
        for g, group in enumerate(self.groups):
            for name, aliases in group.items():
                for alias in {name.lower(), *aliases}:
                    key = tuple(t.group(0) for t in _TOKEN.finditer(alias.lower()))
                    if key:
                        self._aliases.setdefault(key, (g, name))
        self._longest = max((len(k) for k in self._aliases), default=0)

    def mentions(self, text: str) -> list[tuple[int, int, int, str]]:
        """Every mention in ``text``, longest alias first at each word: (start, end, group, name)."""
        tokens = list(_TOKEN.finditer(text.lower()))
        out = []
        i = 0
        while i < len(tokens):
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                hit = self._aliases.get(tuple(t.group(0) for t in tokens[i : i + n]))
                if hit:
                    out.append((tokens[i].start(), tokens[i + n - 1].end(), *hit))
                    i += n
                    break
            else:
                i += 1
        return out

    def find(self, text: str) -> list[tuple[int, int, int, str]]:
        """The first mention of each name in ``text``: (start, end, group index, canonical name), in order."""
        first: dict[tuple[int, str], tuple[int, int, int, str]] = {}
        for mention in self.mentions(text):
            first.setdefault((mention[2], mention[3]), mention)
        return sorted(first.values())


def message_text(message: Any) -> str:
    """The text of a chat message (a ``{"role", "content"}`` dict, Gradio's multimodal parts, or a string)."""
    content = message.get("content", "") if isinstance(message, dict) else message
    if isinstance(content, list):  # Gradio multimodal content
        content = " ".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return str(content or "")


def is_follow_up(question: str) -> bool:
    """Whether ``question`` leans on the conversation (ellipsis, pronouns, ordinals, nothing of its own)."""
    q = question.strip()
    if _ELLIPSIS.match(q) or _COUNT_OF.match(q) or _ORDINAL_REF.search(q):
        return True
    return bool(_pronoun(q)) or _refers_back(q) or _no_content(q) or len(words(q)) <= 2


def _swap(previous: str, new_name: str, catalog: EntityCatalog) -> str | None:
    """Replace the mention in ``previous`` that is of the same kind as ``new_name``."""
    new = catalog.find(new_name)
    mentions = catalog.find(previous)
    if new:
        same = [m for m in mentions if m[2] == new[0][2]]
        if same:
            start, end = same[0][0], same[-1][1]
            return previous[:start] + new_name + previous[end:]
    which = re.match(
        r"^(?:which|what)\s+(?:\w+\s+){1,2}?(?:(does|do|did|is|are|was|were|has|have|can)\s+)?(?:not\s+)?(.+?)\??$",
        previous.strip(),
        re.IGNORECASE,
    )
    if new and which:  # "Which station has no X?" + "Does Gull Rock?" -> "Does Gull Rock have X?"
        aux = (which.group(1) or "does").lower()
        aux = {"do": "does", "are": "is", "were": "was", "have": "has"}.get(aux, aux)
        return f"{aux.capitalize()} {new_name} {which.group(2)}?"
    if new:
        return None  # a known name with nothing of its kind to replace: never swap it for an unrelated word
    if new_name[:1].isupper():
        names = []
        for m in _NAME.finditer(previous):
            name = re.sub(r"^(?:(?:of|the|and)\s+)+|(?:\s+(?:of|the|and))+$", "", m.group(0))  # "the United States"
            if name[:1].isupper() and previous.index(name, m.start()) > 0 and not _REPORT_NUMBER.match(name):
                names.append(name)
        if names:
            # the last name, and wherever the question names it again ("went to the State Department, and how
            # many has State implemented?" + "What about USAID?"): every mention, with the capitalised words
            # that continue it ("State Department")
            word = re.escape(names[-1])
            mention = re.compile(rf"(?<![\w-]){word}(?:\s+[A-Z][\w’'-]*)*(?![\w-])")
            return mention.sub(new_name, previous)
    return None


def _names_in_order(text: str, catalog: EntityCatalog) -> list[str]:
    """Names of the first kind ``text`` mentions, in the order it mentions them (an answer's list)."""
    found = catalog.mentions(text)
    if not found:
        return []
    first_group = found[0][2]
    return list(dict.fromkeys(name for *_, g, name in found if g == first_group))


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


MAX_STANDALONE = 600  # follow-ups of follow-ups keep their context, up to this many characters


@dataclass(frozen=True)
class Resolved:
    """A question resolved against the conversation: the question in its own words (names and pronouns filled
    in where the conversation says what they are) and, when that is not enough to search for ("Why?", "Can you
    give an example?"), the earlier question it is about.

        >>> r = Resolved("Can you give an example?", "Does Gull Rock have spare lamps?")
        >>> r.searched
        'Can you give an example? Does Gull Rock have spare lamps?'
        >>> r.text
        'Can you give an example? (about: Does Gull Rock have spare lamps?)'
    """

    question: str
    context: str = ""

    @property
    def searched(self) -> str:
        """What retrieval and word matching read: the question, then its context."""
        return f"{self.question} {self.context}" if self.context else self.question

    @property
    def text(self) -> str:
        """How the resolved question is shown to the user ("Searched as: ...")."""
        return f"{self.question} (about: {self.context})" if self.context else self.question


def _pronoun(text: str) -> re.Match[str] | None:
    """The first pronoun that stands for something said earlier; "these"/"those" before a noun ("those
    payments") are determiners of a noun phrase the user spelt out, not pronouns."""
    for match in _PLURAL_PRONOUN.finditer(text):
        if not _determiner(text, match):
            return match
    return _SINGULAR_PRONOUN.search(text)


def _determiner(text: str, match: re.Match[str]) -> bool:
    following = re.match(r"\s+([A-Za-z][\w'-]*)", text[match.end() :])
    if following is None or match.group(0).lower() not in {"these", "those"}:
        return False
    return following.group(1).lower() not in STOPWORDS


def _refers_back(text: str) -> bool:
    """ "Did GAO find fraud in those reports?": a noun phrase that points at what the conversation is about."""
    return any(_determiner(text, m) for m in _PLURAL_PRONOUN.finditer(text))


def _no_content(text: str) -> bool:
    """A question with nothing of its own to search for: "Can you give an example?", "Why?"."""
    return not [w for w in words(text) if w not in STOPWORDS and w not in _GENERIC]


def condense_one(question: str, earlier: Resolved, previous_answer: str, catalog: EntityCatalog) -> Resolved:
    """Rewrite ``question`` against the previous resolved question and the answer it got."""
    q = question.strip()
    if not earlier.question:
        return Resolved(q)
    previous = earlier.question
    context = earlier.searched  # what a question with nothing of its own is about
    bare = q.rstrip(" ?.!")
    head = re.split(r"\s\[\d+\]", previous_answer, maxsplit=1)[0]
    listed = [n for n in _names_in_order(head, catalog) if re.search(r"[A-Za-z]", n)]  # "13" is no referent

    ordinal = _ORDINAL_REF.search(bare)
    if ordinal and listed:
        index = _ORDINALS[ordinal.group(1).lower()]
        if -len(listed) <= index < len(listed):
            bare = bare[: ordinal.start()] + listed[index] + bare[ordinal.end() :]
            q = bare + "?"

    if _COUNT_OF.match(q):
        which = re.match(r"^(which|what)\s+(.+?)\??$", previous.strip(), re.IGNORECASE)
        return Resolved(f"How many {which.group(2)}?") if which else Resolved("How many of them?", context)

    ellipsis = _ELLIPSIS.match(bare)
    if ellipsis:
        subject = next(g for g in ellipsis.groups() if g).strip(" ?")
        asks_itself = re.search(r"[:;]|\b(?:how|what|which|who|when|why|where)\b", subject, re.I)
        if subject.split()[0].lower() not in _QUESTION_START and not _pronoun(subject) and not asks_itself:
            swapped = _swap(previous, subject, catalog)
            return Resolved(swapped, earlier.context) if swapped else Resolved(f"What about {subject}?", context)

    stripped = re.sub(r"^(and|so|also|then|but)\s+", "", bare, flags=re.IGNORECASE)
    name_only = re.match(r"^(?:(?:does|do|did|is|are|was|were|has|have|can|what about)\s+)?(.+)$", stripped, re.I)
    rest = name_only.group(1) if name_only else stripped
    found = catalog.find(rest)
    if found and len(rest.split()) <= 3 and found[0][0] == 0 and found[-1][1] == len(rest) and not _pronoun(rest):
        swapped = _swap(previous, rest, catalog)  # "Cape Fern?", "Does Gull Rock?"
        if swapped:
            return Resolved(swapped, earlier.context)

    pronoun = _pronoun(stripped)
    if pronoun:
        own_groups = {m[2] for m in catalog.find(stripped)}
        plural = bool(_PLURAL_PRONOUN.match(pronoun.group(0)))
        listed_group = catalog.find(head)[0][2] if listed else None
        referent = ""
        if listed and listed_group not in own_groups and (len(listed) >= 2) == plural:
            referent = _join(listed)
        else:
            names = list(dict.fromkeys(previous[m[0] : m[1]] for m in catalog.find(previous) if m[2] not in own_groups))
            names = [n for n in names if re.search(r"[A-Za-z]", n)]
            if len(names) == 1 or (plural and names):
                referent = _join(names)
        if not referent and pronoun.group(0).lower() in {"them", "those", "these"}:
            nouns = re.findall(r"\b([a-z][a-z-]{3,}s)\b", previous)
            nouns = [n for n in nouns if n not in STOPWORDS and not n.endswith(("ss", "us", "is"))]
            referent = f"the {nouns[0]}" if nouns else ""  # "Did they agree?" after "How many recommendations ...?"
        if referent and pronoun.group(0).lower() in {"it", "they", "them", "these", "those", "this", "that"}:
            rewritten = stripped[: pronoun.start()] + referent + stripped[pronoun.end() :]
            return Resolved(rewritten[:1].upper() + rewritten[1:] + "?")
        return Resolved(q, context)
    if _no_content(q) or _refers_back(stripped) or stripped != bare:
        # nothing of its own, "those reports", or a question that goes on from the last one ("And how much is
        # added each year?"): searched with the earlier question as context
        return Resolved(q, context)
    return Resolved(q)


def condense(question: str, history: Sequence[Any] | None, catalog: EntityCatalog | None = None) -> Resolved:
    """The standalone form of ``question`` given a chat ``history`` of ``{"role", "content"}`` messages.

    Earlier user turns are condensed in order too, so a follow-up of a follow-up resolves.

    Example:
        >>> cat = EntityCatalog([{"Gull Rock": [], "Cape Fern": []}])
        >>> hist = [{"role": "user", "content": "Does Gull Rock have spare lamps?"},
        ...         {"role": "assistant", "content": "No ..."}]
        >>> condense("What about Cape Fern?", hist, cat).text
        'Does Cape Fern have spare lamps?'
    """
    catalog = catalog or EntityCatalog()
    standalone, answer = Resolved(""), ""
    for message in history or []:
        role = message.get("role") if isinstance(message, dict) else None
        text = message_text(message).strip()
        if not text:
            continue
        if role == "user":
            standalone = _resolve(text, standalone, answer, catalog)
            answer = ""
        elif role == "assistant":
            answer = text
    return _resolve(question, standalone, answer, catalog)


def _resolve(question: str, previous: Resolved, answer: str, catalog: EntityCatalog) -> Resolved:
    if previous.question and (is_follow_up(question) or _is_bare_name(question, catalog)):
        resolved = condense_one(question, previous, answer, catalog)
        room = MAX_STANDALONE - len(resolved.question) - len(" (about: )")
        return Resolved(resolved.question[:MAX_STANDALONE], resolved.context[: max(0, room)])
    return Resolved(question)


def _is_bare_name(question: str, catalog: EntityCatalog) -> bool:
    """ "Cape Fern?", "And Gull Rock?", "Does Harbor Point?": a name and nothing else to ask."""
    bare = re.sub(r"^(and|so|also|but)\s+", "", question.strip().rstrip(" ?.!"), flags=re.IGNORECASE)
    bare = re.sub(r"^(does|do|did|is|are|was|were|has|have|can)\s+", "", bare, flags=re.IGNORECASE)
    found = catalog.find(bare)
    return bool(found) and len(bare.split()) <= 3 and found[0][0] == 0 and found[-1][1] == len(bare)
