"""The one connection pool per database URL that a worker process's activities share
(step records, answer streams, usage records, provider connections, heartbeats).

Each of them used to open its own engine, so a worker held up to five pools of the same
database. Tests pass their own engine where they need one.
"""

from functools import lru_cache

import sqlalchemy as sa

# Concurrent activities each hold a connection only for one short statement.
POOL_SIZE, MAX_OVERFLOW = 10, 20


@lru_cache(maxsize=8)
def shared_engine(url: str) -> sa.Engine:
    """This process's engine for ``url`` (SQLite files get SQLAlchemy's thread-safe pool)."""
    if url.startswith("sqlite"):
        return sa.create_engine(url)
    return sa.create_engine(url, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW, pool_pre_ping=True)
