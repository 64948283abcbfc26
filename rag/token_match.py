"""Late-interaction matching: how well each of the question's words is met by some word of a window.

Why not the sentence vector: MiniLM mean-pools a long news sentence into one vector that is
mostly the article's topic, so in a corpus about one story every sentence looks alike and a
paraphrase ("before flying home" for "before boarding his return flight") scores below
off-topic sentences that share the story's words. Matching word by word (each question word
against its closest word in the window, in context) keeps the paraphrase. Measured on the dev
splits of both corpora (99 answerable questions, `evals/datasets/`): the window holding the
gold facts ranked first for 43% with the sentence cosine and 48% with this, in the top three
for 67% and 72%.

Hand-written: sentence-transformers hands out the contextual token vectors
(`output_value="token_embeddings"`) but has no MaxSim scorer, and llama-index's ColBERT
support is a separate index with its own model, which does not ship offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.words import is_stopword

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

Pieces = str | Sequence[str]  # a text, whole or as its sentences
MIN_WEIGHT = 0.25  # a question word every candidate window shares still counts a little
# A name met only in the context counts this much of a match in the window itself: a sentence
# that names its subject is surer evidence than one that leaves it to the headline.
CONTEXT_CREDIT = 0.85


@dataclass(frozen=True)
class TokenVectors:
    """One text's WordPiece tokens and their unit-length contextual vectors, row per token."""

    tokens: tuple[str, ...]
    vectors: np.ndarray
    sentence: np.ndarray | None = None  # the model's own sentence embedding of the text, from the same pass


class TokenMatcher:
    """Token vectors from the embedder's own model, cached per process and per sentence.

    A text to score may be given as its pieces (a window's sentences, a context's headline and
    sentence before): each piece is encoded alone and the text's vectors are the pieces' rows
    together. Neighbouring windows share sentences and every window of an article shares its
    headline, so a sentence is encoded once however many windows hold it; encoding each window
    whole cost a new forward pass per window and per context, most of a warm answer's time.
    """

    def __init__(self, embedder: BaseEmbedding) -> None:
        # llama-index keeps the SentenceTransformer it wraps in `_model` and offers no public
        # accessor; loading a second copy would cost another 90 MB and a second of start-up.
        self.model: Any = embedder._model  # type: ignore[attr-defined]
        self._cache: dict[str, TokenVectors] = {}

    def encode(self, texts: list[str]) -> list[TokenVectors]:
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if new:
            # output_value=None: every output of one forward pass, the token vectors, the ids (to tell
            # content words from stopwords) and the pooled sentence embedding, padded to the batch.
            outputs = self.model.encode(new, output_value=None, convert_to_numpy=False)
            for text, out in zip(new, outputs, strict=True):
                length = int(out["attention_mask"].sum())
                vectors = out["token_embeddings"][:length].float().cpu().numpy()
                vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
                tokens = tuple(self.model.tokenizer.convert_ids_to_tokens(out["input_ids"][:length].tolist()))
                self._cache[text] = TokenVectors(tokens, vectors, out["sentence_embedding"].float().cpu().numpy())
        return [self._cache[t] for t in texts]

    def sentence_vector(self, text: str) -> list[float]:
        """`text`'s sentence embedding, as the embedder would give it (same model, same pass as its token
        vectors): the dense retriever's query vector, so a question is run through the model once."""
        vector = self.encode([text])[0].sentence
        assert vector is not None
        return vector.tolist()

    def joined(self, texts: Sequence[Pieces]) -> list[TokenVectors]:
        """Each text's tokens and vectors, a text given whole or as its pieces."""
        parts = [(t,) if isinstance(t, str) else tuple(p for p in t if p.strip()) for t in texts]
        flat = list(dict.fromkeys(p for ps in parts for p in ps))
        encoded = dict(zip(flat, self.encode(flat), strict=True))
        out = []
        for ps in parts:
            got = [encoded[p] for p in ps]
            if len(got) == 1:
                out.append(got[0])
            elif not got:
                out.append(TokenVectors((), np.zeros((0, self.dimensions))))
            else:
                out.append(TokenVectors(sum((g.tokens for g in got), ()), np.vstack([g.vectors for g in got])))
        return out

    @property
    def dimensions(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def scores(
        self,
        question: str,
        texts: Sequence[Pieces],
        contexts: Sequence[Pieces] | None = None,
        names: frozenset[str] = frozenset(),
        credited: Sequence[bool] | None = None,
        speaker: frozenset[str] = frozenset(),
    ) -> list[float]:
        """For each text, the weighted mean over the question's content words of their best match in it.

        A question word is weighted by how few of `texts` contain it, so the story's own words
        ("Gaza", "hostage") that every candidate shares do not decide the ranking. The words of
        `names` (lowercase) may also be met in the text's context (`contexts[i]`): the names a
        sentence leaves to the headline or the sentence before it. The words of `speaker` are met by a
        text `credited[i]` to the speaker (its words are theirs, named or not) as a name in the context is.
        """
        (asked,) = self.encode([question])
        windows = self.joined(texts)
        around: Sequence[TokenVectors | None] = self.joined(contexts) if contexts and names else [None] * len(texts)
        keep = [i for i, tok in enumerate(asked.tokens) if _content(tok)]
        if not keep or not windows:
            return [0.0] * len(texts)
        token_sets = [set(w.tokens) for w in windows]
        weights = np.array(
            [max(MIN_WEIGHT, 1.0 - sum(asked.tokens[i] in s for s in token_sets) / len(token_sets)) for i in keep]
        )
        query = asked.vectors[keep]
        name_rows = [k for k, i in enumerate(keep) if _word_at(asked.tokens, i) in names]
        speaker_rows = [k for k, i in enumerate(keep) if _word_at(asked.tokens, i) in speaker]
        out = []
        for n, (window, context) in enumerate(zip(windows, around, strict=True)):
            best = _best(query, window)
            if context is not None and name_rows:
                best[name_rows] = np.maximum(best[name_rows], CONTEXT_CREDIT * _best(query[name_rows], context))
            if credited is not None and credited[n] and speaker_rows:
                best[speaker_rows] = np.maximum(best[speaker_rows], CONTEXT_CREDIT)
            out.append(float((best * weights).sum() / weights.sum()))
        return out

    def met(self, question: str, words: Sequence[str], texts: Sequence[Pieces]) -> dict[str, float]:
        """How well each of the question's `words` is met anywhere in `texts`: the best, over the texts,
        of its weakest WordPiece's closest token ("Washington" by "United States" about 0.5, a name the
        texts lack under 0.4, a name they have about 0.9). A word not in the question counts as met."""
        (asked,) = self.encode([question])
        encoded = [t for t in self.joined(texts) if t.tokens]
        out = {}
        for word in words:
            rows = [i for i, tok in enumerate(asked.tokens) if _word_at(asked.tokens, i) == word.lower()]
            if not rows or not encoded:
                out[word] = 1.0
                continue
            out[word] = max(float(_best(asked.vectors[rows], text).min()) for text in encoded)
        return out


def _best(query: np.ndarray, text: TokenVectors) -> np.ndarray:
    """Each query row's closest token of the text (MaxSim)."""
    body = [j for j, tok in enumerate(text.tokens) if tok not in _SPECIAL]
    return (query @ text.vectors[body].T).max(axis=1) if body else np.zeros(len(query))


def _word_at(tokens: tuple[str, ...], i: int) -> str:
    """The whole word the WordPiece token at `i` belongs to ("sab", "##le" -> "sable")."""
    start = i
    while start > 0 and tokens[start].startswith("##"):
        start -= 1
    end = i + 1
    while end < len(tokens) and tokens[end].startswith("##"):
        end += 1
    return tokens[start] + "".join(t[2:] for t in tokens[start + 1 : end])


_SPECIAL = frozenset({"[CLS]", "[SEP]", "[PAD]"})


def _content(token: str) -> bool:
    """A word that carries meaning: not punctuation, not a special token, not a stopword."""
    if token in _SPECIAL:
        return False
    if token.startswith("##"):
        return True
    return token.isalnum() and not is_stopword(token)
