"""Does a text name someone in the role a question asks for? "Which Egyptian official …", "who was
Israel's defense minister", "which Ardish officials led the delegation".

Hand-written because no NER model ships here (see OFFLINE-NOTES): a role word (one list, rag.words
ROLE_NOUNS, shared with the attribution detector) with a person's full name beside it, and the
question's modifiers of the role ("Egyptian") beside it too.
"""

from __future__ import annotations

import itertools
import re

from rag.attribution import speaks
from rag.question import Question
from rag.speech import WHO_VERBS
from rag.words import QUANTITY_WORDS, ROLE_NOUNS, is_demonym, is_stopword, normalise

_ROLES = rf"(?:{ROLE_NOUNS})s?"
# "Which Egyptian president …", "Who was Israel's defense minister", "who is the Israeli spy chief".
_ROLE_QUESTION = re.compile(
    r"\b(?:which|what|who\s+(?:is|was|were|are)(?:\s+the)?(?:\s+[A-Z][\w’']*['’]s)?"
    # "What is the name of the Egyptian official …", "Which members of the war cabinet …"
    r"|names?\s+of(?:\s+the)?|which\s+members?\s+of(?:\s+the)?)\s+"
    rf"(?P<mods>(?:[\w\-]+\s+){{0,3}}?)(?P<role>{_ROLES}|members?|cabinet)\b",
    re.IGNORECASE,
)
_ANY_OFFICE = tuple(dict.fromkeys(re.sub(r"\\w[+*]", "", ROLE_NOUNS).split("|")))
_ROLE_REACH = 5  # words between a role ("director") and the name that fills it
# Roles a question may name in other words than the article: "diplomat" for its "ambassador", "leader"
# for its "president". These take any office; "spokesman" takes "spokesperson" and "spokeswoman".
_ANY_ROLE = frozenset({"official", "diplomat", "leader", "figure"})
# "Which US diplomat conceded that …": the role, then what they said; whoever the window has saying it
# answers, however the article names the office ("Ambassador Jack Lew", or only "Lew said").
# "Which official, speaking in Tel Aviv, acknowledged …": an aside may stand between.
_SPOKE = re.compile(rf"(?:,[^,?]{{3,60}},)?\s+(?:[a-z]+ly\s+)?(?:{WHO_VERBS})\b", re.IGNORECASE)


def _same_sentence(before: list[str], after: list[str]) -> list[str]:
    """The words around a role word (`after` starts with it) that are in its sentence."""
    ends = [k for k, w in enumerate(before) if w.endswith((".", "?", "!"))]
    kept = before[ends[-1] + 1 :] if ends else before
    stop = next((k for k, w in enumerate(after) if w.endswith((".", "?", "!"))), len(after) - 1)
    return kept + after[1 : stop + 1]


NOT_RESTRICTIVE = frozenset(
    {"the", "a", "an", "senior", "top", "leading", "high-ranking", "high-level", "key", "prominent", "veteran", "main"}
)


def fills_role(question: Question, text: str, context: str = "") -> bool:
    """ "Which Egyptian president": the window names someone right next to that role, and the role's
    modifiers ("Egyptian") stand next to it too; a name the sentence lacks may be in its context
    ("Norvik" in the headline of "chief executive Halvor Brandt told reporters"), a nationality not:
    "Hamas officials" under a headline about Israel are not Israeli officials."""
    match = _ROLE_QUESTION.search(question.text)
    if not match:
        return any(w[:1].isupper() for w in text.split()[1:])
    # "senior", "top": how the question rates the role, which the article need not repeat
    modifiers = [m.lower() for m in match.group("mods").split() if m.lower() not in NOT_RESTRICTIVE]
    stems_ = [m[: max(4, len(m) - 3)] for m in modifiers]  # "Egyptian" matches "Egypt's"
    in_text, in_context = normalise(text), normalise(context)
    if _SPOKE.match(question.text, match.end()) and (_someone_speaks(question, text) or _named_role_speaks(text)):
        # ...but "Which Egyptian official warned …" is not answered by the UN chief's warning.
        return all(_said(st, in_text) or _said(st, in_context) for st in stems_)
    words = text.split()
    role = match.group("role").lower().split()[-1].rstrip("s")
    # "Which Egyptian official": any office will do ("intelligence chief Abbas Kamel").
    roles = _ANY_OFFICE if role in _ANY_ROLE else ("spokes",) if role.startswith("spokes") else (role,)
    for i, word in enumerate(words):
        if not normalise(word).strip(".,;:'’\"“”").rstrip("s").startswith(roles) or _describes(words, i):
            continue
        near = _same_sentence(words[max(0, i - _ROLE_REACH) : i], words[i : i + 1 + _ROLE_REACH])
        # A person's name: a first name and a surname ("Mossad chief David Barnea"), not "Hamas" in
        # "Israeli and Hamas officials" (an organisation) or "July" in "in late July, according to officials".
        if not any(_is_name(a, question) and _is_name(b, question, True) for a, b in itertools.pairwise(near)):
            continue
        around = normalise(" ".join(near))
        if all(
            _said(st, around) or (not _said(st, in_text) and _said(st, in_context) and not is_demonym(m))
            for m, st in zip(modifiers, stems_, strict=True)
        ):
            return True
    return False


def _describes(words: list[str], i: int) -> bool:
    """ "official Israeli figures", "official statement": the role word is an adjective here, as the
    singular "official" is when a nationality or a plain noun follows it ("official said" does not)."""
    if words[i].lower() != "official" or i + 1 >= len(words):
        return False
    after = words[i + 1].strip(".,;:'’\"“”")
    return is_demonym(after) or (after.islower() and not is_stopword(after) and not re.fullmatch(WHO_VERBS, after))


def _is_name(word: str, question: Question, surname: bool = False) -> bool:
    """A capitalised word that is not a nationality, a short acronym or a name the question gives.
    A `surname` (after a first name, or saying something) may look like a nationality: "Avi Hyman",
    "Francesca Albanese", "Hamdan said"."""
    clean = word.strip(".,;:()'’\"“”")
    if not clean[:1].isupper() or clean.isupper() or (is_demonym(clean) and not surname) or is_stopword(clean):
        return False
    if QUANTITY_WORDS.fullmatch(clean):  # "Two Israeli officials said"
        return False
    return not any(clean.lower() in name.lower().split() for name in question.names)


# Modifiers an article writes out: a "US diplomat" is the "United States" ambassador.
_SPELLED_OUT = {
    "us": ("united states", "american", "u.s."),
    "uk": ("united kingdom", "british"),
    "un": ("united nations",),
}


def _said(modifier: str, text: str) -> bool:
    """The (normalised) text has the modifier, or the words it abbreviates."""
    if modifier in _SPELLED_OUT:
        return bool(re.search(rf"\b{modifier}\b", text)) or any(long in text for long in _SPELLED_OUT[modifier])
    return modifier in text


# "“We are on the way to an absolute victory,” the Israeli prime minister said": an office speaking.
_ROLE_SPEAKS = re.compile(rf"\bthe\s+(?:[\w’'\-]+\s+){{0,3}}?{_ROLES}\s+(?:{WHO_VERBS})\b", re.IGNORECASE)


def _named_role_speaks(text: str) -> bool:
    """An office speaks in the window ("the Israeli prime minister said") and the window names a
    person outside the quotes and the office's own words ("Netanyahu appeared to reject …"): the
    answer to "which leader vowed …" is there. Not "“We will …,” the Ardish prime minister said"."""
    spoken = _ROLE_SPEAKS.search(text)
    if not spoken:
        return False
    rest = _QUOTED.sub(" ", text[: spoken.start()] + " " + text[spoken.end() :])
    words = [w.strip(".,;:()'’\"“”") for w in rest.split()]
    return any(w[:1].isupper() and not w.isupper() and not is_stopword(w) and not is_demonym(w) for w in words)


_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


def _someone_speaks(question: Question, text: str) -> bool:
    """A speech verb credits someone the question does not name ("…,” Lew said"; rag.attribution).
    A word that ends like a nationality speaks only as a surname: after a first name or right before
    the verb ("Avi Hyman told"), not as an adjective ("American officials said")."""
    words = [w.strip(".,;:()'’\"“”") for w in text.split()]
    for k in range(1, len(words)):
        name = words[k]
        surname = words[k - 1][:1].isupper() or (k + 1 < len(words) and bool(_SPOKE.match(" " + words[k + 1])))
        if name and _is_name(name, question, surname) and speaks(text, name):
            return True
    return False
