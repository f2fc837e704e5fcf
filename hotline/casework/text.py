"""A request's text segmented once at intake and shared by every consumer that needs its words."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifier import tokenizer
from hotline.supervision.duplicates import text_signature


@dataclass(frozen=True)
class PreparedText:
    """The content words (`classifier.tokenizer.tokens`: the classifier's own segmentation, which
    knowledge search takes as its query words) and the duplicate signature built from them."""

    words: list[str]
    signature: np.ndarray | None


def prepare(content: str) -> PreparedText:
    """Segment the content once (jieba is most of an intake's text work) and derive the signature."""
    words = tokenizer.tokens(content)
    return PreparedText(words=words, signature=text_signature(content, words))
