"""assistant.text: sentence spans (example and property-style), inline rendering, question cleaning, tokens."""

from __future__ import annotations

import random

import pytest

from assistant.text import (
    clean_question,
    content_stems,
    lexical_tokens,
    normalize,
    render_inline,
    sentence_spans,
    stem,
    words,
)


def sentences_of(text: str, start: int = 0, end: int | None = None) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, start, end)]


# -- sentence_spans: examples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. team met the harbor board. It agreed.",
            ["The U.S. team met the harbor board.", "It agreed."],
        ),
        (
            "Ask Maria K. Olsen about the audit. She led it.",
            ["Ask Maria K. Olsen about the audit.", "She led it."],
        ),
        (
            "Dr. P. Varga reviewed the U.K. depots, e.g. the one at Dover. Was it late? Yes!",
            ["Dr. P. Varga reviewed the U.K. depots, e.g. the one at Dover.", "Was it late?", "Yes!"],
        ),
        ("Costs rose 4.5 percent. Staff fell.", ["Costs rose 4.5 percent.", "Staff fell."]),
        ('He wrote "done." Then he left.', ['He wrote "done."', "Then he left."]),
        (  # a footnote number straight after the full stop (a PDF superscript) ends the sentence it marks
            "Pay rose under the new system.18 At the end of 2004, 78 percent took part.19 The rest did not.",
            ["Pay rose under the new system.18", "At the end of 2004, 78 percent took part.19", "The rest did not."],
        ),
        ("Growth was 3.5 In total, 2.5 percent.", ["Growth was 3.5 In total, 2.5 percent."]),
        ("A clause without an end", ["A clause without an end"]),
        ("   ", []),
    ],
)
def test_sentence_examples(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_lines_never_share_a_sentence() -> None:
    text = "Title line\nFirst sentence here. Second one\nlast line."
    assert sentences_of(text) == ["Title line", "First sentence here.", "Second one", "last line."]


def test_spans_are_absolute_within_a_window() -> None:
    text = "Prefix sentence. Inside one. Inside two. Suffix sentence."
    start = text.index("Inside one")
    end = text.index(" Suffix")
    spans = sentence_spans(text, start, end)
    assert [text[s:e] for s, e in spans] == ["Inside one.", "Inside two."]
    assert all(start <= s < e <= end for s, e in spans)


def test_the_report_contact_line_keeps_the_initial(gao_path) -> None:
    text = gao_path.read_text(encoding="utf-8")
    line_start = text.index("For more information")
    line_end = text.index("\n", line_start)
    assert sentences_of(text, line_start, line_end) == [text[line_start:line_end]]


# -- sentence_spans: properties over generated text -----------------------------------------------------------

_WORDS = ["harbor", "audit", "staff", "budget", "depot", "review", "plans", "lamps", "crews", "boats", "funds"]
_INNER = ["U.S.", "U.K.", "e.g.", "i.e.", "Dr. Ames", "J. Rivera", "No. 4", "3.5", "(DOD)", "“quoted”", "Space-based"]
_ENDS = [".", "?", "!", '."', ".)", "?”"]


def _sentence(rng: random.Random) -> str:
    body = [rng.choice(_WORDS) for _ in range(rng.randint(2, 9))]
    for _ in range(rng.randint(0, 3)):
        body.insert(rng.randint(0, len(body)), rng.choice(_INNER))
    first = rng.choice(_WORDS).capitalize()
    last = rng.choice(_WORDS)  # never an abbreviation or an initial before the final stop
    return " ".join([first, *body, last]) + rng.choice(_ENDS)


@pytest.mark.parametrize("seed", range(40))
def test_generated_sentences_split_exactly(seed: int) -> None:
    rng = random.Random(seed)
    sentences = [_sentence(rng) for _ in range(rng.randint(1, 8))]
    separators = [rng.choice([" ", "  ", " \t "]) for _ in sentences]
    text = rng.choice(["", "  "]) + "".join(s + sep for s, sep in zip(sentences, separators, strict=True))
    assert sentences_of(text) == sentences


@pytest.mark.parametrize("seed", range(40))
def test_spans_are_ordered_trimmed_and_cover_every_word(seed: int) -> None:
    rng = random.Random(1000 + seed)
    alphabet = [*_WORDS, *_INNER, "A.", "x.", "?", "!", "\n", "\n\n", "Mr.", "etc.", "St.", ":", "—"]
    text = " ".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
    spans = sentence_spans(text)
    previous_end = 0
    covered = set()
    for s, e in spans:
        assert previous_end <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert s == 0 or text[s - 1].isspace(), "a span starts inside a word"
        assert e == len(text) or text[e].isspace(), "a span ends inside a word"
        covered.update(range(s, e))
        previous_end = e
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


# -- rendering and cleaning ----------------------------------------------------------------------------------


def test_render_inline_keeps_link_text_and_drops_markup() -> None:
    raw = "**Bold** see [the schedule](https://example.org/x) and notes<sup> b </sup>  here"
    assert render_inline(raw) == "Bold see the schedule and notes here"


def test_render_inline_of_the_report_contact_line(gao_path) -> None:
    text = gao_path.read_text(encoding="utf-8")
    line = next(li for li in text.splitlines() if li.startswith("For more information"))
    rendered = render_inline(line)
    assert "mailto:" not in rendered and "](" not in rendered
    email = line[line.index("[") + 1 : line.index("]")]
    assert rendered.endswith(email)


def test_clean_question_removes_control_and_invisible_characters() -> None:
    raw = "Does\x00 the\x07 harbor\u200b\u202e board\ufeff meet?\r\n\t"
    assert clean_question(raw) == "Does the harbor board meet?"


def test_clean_question_keeps_emoji_and_right_to_left_text() -> None:
    raw = "هل يجتمع المجلس؟ 🚢 שלום"
    assert clean_question(raw) == raw


def test_clean_question_normalises_to_nfc() -> None:
    assert clean_question("Cafe\u0301 budget?") == "Caf\u00e9 budget?"


def test_normalize_unifies_quotes_dashes_and_space() -> None:
    assert normalize("DOD’s  goals—and “plans”") == 'dod\'s goals - and "plans"'


# -- tokens and stems ----------------------------------------------------------------------------------------


def test_words_drop_possessives_and_lower_case() -> None:
    assert words("DOD’s partners' Space-based sensors") == ["dod", "partners", "space-based", "sensors"]


@pytest.mark.parametrize(
    "family",
    [
        ["agreement", "agreements"],
        ["integrate", "integrating", "integrated", "integrates"],
        ["country", "countries"],
        ["exchange", "exchanges"],
        ["operation", "operations"],
    ],
)
def test_inflections_share_a_stem(family: list[str]) -> None:
    assert len({stem(w) for w in family}) == 1, {w: stem(w) for w in family}


def test_content_stems_skip_stopwords() -> None:
    assert content_stems("Does the harbor have boats?") == [stem("harbor"), stem("boats")]


def test_lexical_tokens_read_rendered_text() -> None:
    tokens = lexical_tokens("[Lamps](https://example.org/lamps) <sup>a</sup>")
    assert tokens == [stem("lamps")]


def test_everyday_phrasings_are_searched_in_the_report_s_words() -> None:
    from assistant.thesaurus import Aliases

    aliases = Aliases({"left out": "omitted", "watchdog": "GAO", "the watchdog": "GAO", "set up": "established"})
    assert aliases.fold("What was left out of the public version?") == "What was omitted of the public version?"
    assert aliases.fold("Did the Watchdog look?") == "Did GAO look?"  # the longest entry wins, any case
    assert aliases.fold("Who set up the office?") == "Who established the office?"
    assert aliases.fold("Is the setup offset?") == "Is the setup offset?"  # whole phrases only
    assert aliases.uses("the watchdog", "Did the watchdog look?")
    assert not aliases.uses("watchdog", "Did the watchdog look?")  # the longer entry covers it
    assert aliases.uses("watchdog", "a watchdog")
    assert aliases.without("left out").fold("What was left out?") == "What was left out?"
    assert Aliases({}).fold("left out") == "left out" and not Aliases({}).uses("x", "x")


def test_the_data_file_s_aliases_are_what_answering_folds_with() -> None:
    from assistant import thesaurus

    assert thesaurus.ALIASES.terms  # the data file was read
    phrase, term = next(iter(thesaurus.ALIASES.terms.items()))
    assert thesaurus.fold_aliases(f"x {phrase} y") == f"x {term} y"
    with thesaurus.using(thesaurus.ALIASES.without(phrase)):
        assert thesaurus.fold_aliases(f"x {phrase} y") == f"x {phrase} y"
    assert thesaurus.fold_aliases(f"x {phrase} y") == f"x {term} y"  # restored
