"""The two sides of a comparison question, each as a clause the evidence stage can answer alone.

"How did Blinken's reaction to the plan differ from Netanyahu's?" asks two things: Blinken's
reaction to the plan, and Netanyahu's reaction to the plan. Scored as one question, the window
that best matches all of its words is about the first side (which carries most of the words),
and the answer gives one side only. Split into "Blinken's reaction to the plan" and
"Netanyahu's reaction to the plan", each side gets its own best window (rag.extractive adds one
per clause). Three shapes are read:

- "How did A's X differ from / compare with B's?" (the right side borrows the left's X),
- "How did A's X compare with its Y?" ("its" is A),
- "How does X differ between P and Q?" (X in P, X in Q),
- "How did A and B each respond to X?" (how did A respond to X, how did B),
- "How far apart were A's and B's X?" (A's X, B's X).

Hand-written like rag.question: no parser ships here, and the shapes are few.
"""

from __future__ import annotations

import re

_AUX = r"(?:how|in what ways?)\s+(?:did|does|do|was|is|were|has|have|had)\s+"
_VERB = r"(?:differ|differs|differed|compare|compares|compared|contrast|contrasts|contrasted)"
_AGAINST = re.compile(rf"^\s*{_AUX}(?P<left>.+?)\s+{_VERB}\s+(?:from|with|to|against)\s+(?P<right>.+?)\s*\??\s*$", re.I)
_BETWEEN = re.compile(rf"^\s*{_AUX}(?P<thing>.+?)\s+{_VERB}\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s*\??\s*$", re.I)
# "Blinken's reaction to the plan", "the Herald's figure": an owner and what of theirs is compared.
_OWNED = re.compile(r"^(?:the\s+)?(?P<owner>[\w’'.\- ]+?)[’']s?\s+(?P<thing>.+)$")
# "… from Netanyahu's", "… with the Courier's", "… with that of the mayor": an owner, the thing left out.
_BARE_OWNER = re.compile(r"^(?:the\s+)?(?P<owner>(?:[\w.\-]+\s){0,3}[\w.\-]+?(?:[’']s|s[’']))$")
_THAT_OF = re.compile(r"^(?:that|those) of\s+(?:the\s+)?(?P<owner>(?:[\w’'.\-]+\s?){1,4})$", re.I)
_SIDE = r"(?:the\s+)?[\w’'.\-]+(?:\s+[\w’'.\-]+){0,2}?"  # "Israel", "the union", "the Herald"
# "How did Hamas, per the NYT, and Arab officials from the mediators, per the Times of Israel, each
# view …": a side may have its source as an aside, which its clause keeps.
_ASIDED = (
    r"(?:the\s+)?[\w’'.\-]+(?:\s+[\w’'.\-]+){0,5}?,\s*"
    r"(?:per|according\s+to|speaking|citing|quoted|in\s+the|who|which)\b[^,?]{0,60},"
)  # not a list: "How did Israel, Egypt, and Qatar each respond" is three sides, not two
_EACH = re.compile(
    r"^\s*(?P<ask>(?i:how|what|why|when)\s+(?i:did|does|do|was|is|were|are|has|have|had)\s+)"
    rf"(?P<a>{_SIDE}|{_ASIDED})\s+and\s+(?P<b>{_SIDE}|{_ASIDED})\s+(?:each|both)\s+(?P<rest>.+?)\s*\??\s*$"
)
# "the companies' and the union's estimates of jobs": two owners of one thing, possessives kept.
_NOT_OWNER = r"(?!(?i:what|how|when|why|which|who|were|was|did|do|does|is|are|had|has|have)\b)"
_OWNER = rf"{_NOT_OWNER}(?:the\s+)?[\w.\-]+(?:\s[\w.\-]+){{0,2}}?(?:[’']s\b|s[’'])"
_PAIR_OWNED = re.compile(
    rf"\b(?P<a>{_OWNER})\s+and\s+(?P<b>{_OWNER})\s+(?P<thing>[\w\-]+(?:\s[\w\-]+){{0,7}}?)\s*(?:[?,;]|$)"
)
_ITS = re.compile(r"^(?:its|their|his|her)\s+(?P<thing>.+)$", re.I)


def comparison_sides(text: str) -> tuple[str, ...]:
    """The two clauses of a comparison question, or () when it is not one of the shapes above."""
    each = _EACH.match(text)
    if each:
        ask, rest = each.group("ask"), each.group("rest")
        return (f"{ask}{each.group('a')} {rest}?", f"{ask}{each.group('b')} {rest}?")
    pair = _PAIR_OWNED.search(text)
    if pair:
        thing = pair.group("thing")
        return (f"{pair.group('a')} {thing}", f"{pair.group('b')} {thing}")
    between = _BETWEEN.match(text)
    if between:
        thing = between.group("thing")
        return (f"{thing} in {between.group('a')}", f"{thing} in {between.group('b')}")
    against = _AGAINST.match(text)
    if not against:
        return ()
    left, right = against.group("left"), against.group("right")
    owned = _OWNED.match(left)
    if owned is None:
        return ()
    own = _ITS.match(right)
    if own:  # "Hamas's response to P compare with its response to Q"
        return (left, f"{owned.group('owner')}'s {own.group('thing')}")
    bare = _BARE_OWNER.match(right)
    if bare:  # "Netanyahu's", "the officials'"
        return (left, f"{bare.group('owner')} {owned.group('thing')}")
    that_of = _THAT_OF.match(right)
    if that_of:
        owner = that_of.group("owner").strip()
        return (left, f"{owner}{chr(39) if owner.endswith('s') else chr(39) + 's'} {owned.group('thing')}")
    return (left, right)
