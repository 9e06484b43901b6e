"""Similar motions: a portable text similarity (stemmed word profiles, cosine), pure Python.

Used on every database to score candidate motions against a draft; on PostgreSQL the candidates
come from full-text search and trigram similarity (selectors/motions.py), on SQLite from a scan of
the register. Motions all share the same formal wording ("This Council notes ... resolves ..."),
so that wording is ignored: only what a motion is about counts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

# A draft is similar to an earlier motion from this cosine upwards (tuned on the demo register:
# a reworded motion on the same issue scores 0.35-0.7, a different issue under 0.15).
THRESHOLD = 0.25
TITLE_WEIGHT = 3

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_HYPHENATED = re.compile(r"(?<=[a-z])-(?=[a-z])")

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can cannot could did do does doing down during each either
    etc every few for from further had has have having he her here hers him his how i if in into
    is it its itself just least less let like made many may me might more most much must my no
    nor not now of off on once one only or other our ours out over own per same she should since
    so some such than that the their theirs them then there these they this those through to too
    two under until up upon us very via was we were what when where whether which while who whom
    why will with within without would yet you your
    fernshire kilbrack county council councils councillor councillors cllr member members
    motion motions notice notes note noting resolves resolve resolved requests request
    requested calls call called asks ask asked believes believe agrees agree therefore further
    furthermore cabinet portfolio holder leader chief executive officers officer director
    report reports write writes letter ensure ensuring support supports continue continues
    take taking make making work working need needs needed year years month months time
    number new current currently already recent recently including include includes
    residents resident people local community communities area areas across whole many
    place places public service services serve provide provides providing
    """.split()
)

# Same issue, different words: folded to one term before comparing.
SYNONYMS = {
    "potholes": "pothole",
    "carriageway": "road",
    "carriageways": "road",
    "roads": "road",
    "flytipping": "flytip",
    "dumping": "flytip",
    "dumped": "flytip",
    "buses": "bus",
    "twenty": "20mph",
    "mph": "mph",
    "flooded": "flood",
    "flooding": "flood",
    "floods": "flood",
    "libraries": "library",
    "streetlights": "streetlight",
    "streetlighting": "streetlight",
}

_SUFFIXES = (
    ("ational", "ate"),
    ("ization", "ize"),
    ("isation", "ise"),
    ("fulness", "ful"),
    ("iveness", "ive"),
    ("ousness", "ous"),
    ("ements", ""),
    ("ement", ""),
    ("ments", ""),
    ("ment", ""),
    ("ities", ""),
    ("ity", ""),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ingly", ""),
    ("ings", ""),
    ("ing", ""),
    ("edly", ""),
    ("ed", ""),
    ("ies", "y"),
    ("sses", "ss"),
    ("ly", ""),
    ("es", ""),
    ("s", ""),
)
_VOWEL = re.compile(r"[aeiouy]")


@lru_cache(maxsize=20_000)  # a council's vocabulary is small; motions repeat their words
def stem(word: str) -> str:
    """A light English stemmer: enough to fold 'flooding', 'floods' and 'flooded' together."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        base = word[: -len(suffix)]
        if suffix == "s" and (word.endswith(("ss", "us", "is"))):
            return word
        if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
            continue
        if len(base) < 3 or not _VOWEL.search(base):
            continue
        base += replacement
        if suffix in ("ing", "ed", "ings", "ingly", "edly") and len(base) > 3:
            if base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # running -> run, stopped -> stop
        word = base
        break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]  # closure/closures, charge/charging
    return word


def words(text: str) -> list[str]:
    """Lower-case words, hyphenated words joined (fly-tipping -> flytipping)."""
    text = _HYPHENATED.sub("", text.lower())
    return [w.replace("’", "'").split("'")[0] for w in _WORD.findall(text)]


def terms(text: str) -> list[str]:
    """The words that say what a text is about: no stop words, folded synonyms, stemmed."""
    out = []
    for word in words(text):
        if word in STOPWORDS or (len(word) < 3 and not word.isdigit()):
            continue
        out.append(stem(SYNONYMS.get(word, word)))
    return out


def profile(title: str, text: str) -> Counter[str]:
    """Term counts for a motion; the title counts several times, as it names the issue."""
    counts = Counter(terms(text))
    for term in terms(title):
        counts[term] += TITLE_WEIGHT
    return counts


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine of two term profiles, with dampened counts (a word repeated is not worth more)."""
    if not a or not b:
        return 0.0
    wa = {t: 1 + math.log(n) for t, n in a.items()}
    wb = {t: 1 + math.log(n) for t, n in b.items()}
    dot = sum(w * wb[t] for t, w in wa.items() if t in wb)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(w * w for w in wa.values())) * math.sqrt(sum(w * w for w in wb.values()))
    return dot / norm


def key_words(title: str, text: str, limit: int = 12) -> list[str]:
    """The most telling words of a draft, as written (for a database full-text query)."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for weight, source in ((TITLE_WEIGHT, title), (1, text)):
        for word in words(source):
            if word in STOPWORDS or len(word) < 3:
                continue
            counts[word] += weight
            first_seen.setdefault(word, len(first_seen))
    ranked = sorted(counts, key=lambda w: (-counts[w], first_seen[w]))
    return ranked[:limit]


def best_matches(
    draft: Counter[str], candidates: Iterable[tuple[int, str, str]], *, threshold: float = THRESHOLD
) -> list[tuple[int, float]]:
    """(id, score) of the candidates at or above the threshold, best first."""
    scored = []
    for pk, title, text in candidates:
        score = cosine(draft, profile(title, text))
        if score >= threshold:
            scored.append((pk, score))
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored
