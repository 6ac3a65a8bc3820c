"""Deterministic fake embeddings: a hashed bag of words, unit-normalised.

Texts that share words get similar vectors, so ranking by cosine similarity behaves
sensibly in tests while staying fast and dependency-free.
"""

import hashlib
import math
import re

_WORD = re.compile(r"[a-z0-9]+")


def hashed_embedding(text: str, dimension: int) -> list[float]:
    """Embed ``text`` as a ``dimension``-long unit vector built from hashes of its words.

    Args:
        text: Any text; an empty text still gets a (fixed) non-zero vector.
        dimension: Length of the vector.

    Returns:
        The unit-length vector.
    """
    vector = [0.0] * dimension
    for word in _WORD.findall(text.lower()) or [""]:
        digest = hashlib.sha256(word.encode()).digest()
        index = int.from_bytes(digest[:4], "big") % dimension
        vector[index] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0.0:  # every word cancelled out: fall back to one fixed axis
        vector[0], norm = 1.0, 1.0
    return [v / norm for v in vector]
