"""The gram keys of a text (pia_site/search/grams.py): sorted and distinct, as ``np.unique``
gives them, for any text the index meets."""
from __future__ import annotations

import random

import numpy as np

from pia_site.search.grams import gram_keys, key_gram
from pia_site.search.normalise import SEPARATOR


def test_gram_keys_are_the_sorted_distinct_grams_of_the_text():
    rng = random.Random(7)
    alphabet = "あいうえお個人番号abc123 " + SEPARATOR
    texts = ["", "a", SEPARATOR, "ああああ", "𠮷野家" * 3]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(300)]
    for text in texts:
        keys = gram_keys(text)
        assert keys.dtype == np.uint64
        assert np.array_equal(keys, np.unique(gram_keys(text, distinct=False)))
        expected = {g for piece in text.split(SEPARATOR) for n in (1, 2, 3)
                    for g in (piece[i:i + n] for i in range(len(piece) - n + 1))}
        assert {key_gram(int(k)) for k in keys} == expected
