"""Rate limits, quotas and log-in throttling, shared by every feature and every API process.

Quotas are counted per *principal*, a string naming who calls: ``user:<id>`` for a
logged-in user (an API key will be ``key:<id>``). Each quota allows ``n`` calls per hour
with the generic cell rate algorithm (GCRA): one number per key, the theoretical arrival
time ``tat``; a call is allowed when ``max(tat, now) + hour/n - now <= hour`` and then moves
``tat`` on by ``hour/n``. So a principal can spend a whole hour's quota at once, after which
one call is allowed every ``hour/n`` seconds; ``Retry-After`` says when the next one is.

Log-in throttling counts consecutive failures per account (the normalised email, hashed)
and per client address: at the limit, and after each further failure, the key is blocked
for a delay that starts at ``LOGIN_DELAY_SECONDS`` and doubles up to
``LOGIN_MAX_DELAY_SECONDS``. An attempt is counted as a failure *before* the password is
checked (so parallel attempts cannot slip past the limit) and forgiven when it succeeds; a
success resets the account. Failures are forgotten after ``LOGIN_FAILURE_MEMORY_SECONDS``
without one.

Both are small functions of one state (``LimitState``), written once in this module and
applied by ``apply``: it reads the state (from a per-process cache of what this process last
wrote, else the store), computes the new one and writes it with an atomic compare-and-set,
which fails if any process changed the key meanwhile; then it reads the key and tries
again. A refusal is only ever decided on a state just read. Two stores implement read and
compare-and-set: the database (the default; every API process sharing the database shares
the limits; a conditional ``UPDATE`` or ``INSERT … ON CONFLICT DO NOTHING``, each atomic on
PostgreSQL and SQLite) and Redis (``RATE_LIMIT_REDIS_URL``; a Lua compare-and-set). In the
common case, one process serving a principal's calls, a call costs one round trip.
"""

import hashlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol, TypeVar

import redis
from fastapi.exceptions import RequestValidationError
from sqlalchemy import (
    Engine,
    Executable,
    bindparam,
    create_engine,
    delete,
    event,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from api.core.errors import ApiError
from api.db.models import RateLimitState
from api.db.session import make_engine
from settings import Settings

HOUR = 3600.0
T = TypeVar("T")


@dataclass(frozen=True)
class LimitState:
    """One key's state. Times are seconds since the epoch; past ``expires_at`` it is as if
    there were none."""

    tat: float  # GCRA: the theoretical arrival time; throttles: the end of the block
    count: int  # throttles: consecutive failures (0 for quotas)
    expires_at: float


Step = Callable[[LimitState | None], tuple[LimitState | None, T]]
"""Reads a key's state (None: none yet) and returns the state to write (None: nothing to
write) and its outcome; a pure function, so it can be applied again to a fresher state."""


class LimitStore(Protocol):
    def read(self, key: str) -> LimitState | None:
        """The key's state as stored now (None: there is none)."""
        ...

    def compare_and_set(self, key: str, expected: LimitState | None, new: LimitState) -> bool:
        """Writes ``new`` if the key's state is still ``expected`` (None: there is none), as
        one atomic step across every process sharing the store; False if it was not."""
        ...


# --- the algorithm -------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0


def _live(state: LimitState | None, now: float) -> LimitState | None:
    return state if state is not None and state.expires_at > now else None


def gcra_take(now: float, per_hour: int) -> Step[Verdict]:
    """One call against ``per_hour`` calls an hour.

    Processes read their clocks a moment before they write, so ``now`` may be a little
    earlier than the ``now`` of a write already made; a slack of half an interval (at most a
    second) keeps such a call from being refused at the boundary, and is too small to let
    one more call through."""
    interval = HOUR / per_hour
    slack = min(interval / 2, 1.0)

    def step(state: LimitState | None) -> tuple[LimitState | None, Verdict]:
        live = _live(state, now)
        tat = max(live.tat, now) if live else now
        new_tat = tat + interval
        if new_tat - now > HOUR + slack:
            return None, Verdict(False, new_tat - HOUR - now)
        return LimitState(new_tat, 0, new_tat), Verdict(True)

    return step


def gcra_give_back(now: float, per_hour: int) -> Step[None]:
    """Returns one call taken by ``gcra_take`` (a refused request is not counted)."""
    interval = HOUR / per_hour

    def step(state: LimitState | None) -> tuple[LimitState | None, None]:
        live = _live(state, now)
        if live is None:
            return None, None
        tat = max(now, live.tat - interval)
        return LimitState(tat, 0, tat), None

    return step


@dataclass(frozen=True)
class ThrottlePolicy:
    failure_limit: int
    first_delay: float
    max_delay: float
    memory: float

    def delay(self, failures: int) -> float:
        """The block after ``failures`` consecutive failures (none below the limit)."""
        if failures < self.failure_limit:
            return 0.0
        doublings = min(failures - self.failure_limit, 64)
        return float(min(self.first_delay * 2**doublings, self.max_delay))


def throttle_attempt(now: float, policy: ThrottlePolicy) -> Step[Verdict]:
    """An attempt, counted as a failure until it is forgiven; refused while blocked."""

    def step(state: LimitState | None) -> tuple[LimitState | None, Verdict]:
        live = _live(state, now)
        if live is not None and live.tat > now:
            return None, Verdict(False, live.tat - now)
        failures = (live.count if live else 0) + 1
        delay = policy.delay(failures)
        blocked_until = now + delay if delay else 0.0
        return LimitState(blocked_until, failures, now + delay + policy.memory), Verdict(True)

    return step


def throttle_forgive(now: float, policy: ThrottlePolicy, *, reset: bool) -> Step[None]:
    """The attempt succeeded: it was no failure (``reset``: and neither were earlier ones)."""

    def step(state: LimitState | None) -> tuple[LimitState | None, None]:
        live = _live(state, now)
        if live is None:
            return None, None
        failures = 0 if reset else max(0, live.count - 1)
        # The block this attempt may have set is lifted; the failures before it are kept.
        return LimitState(0.0, failures, now + policy.memory if failures else now), None

    return step


# --- applying a step: the one read-compute-compare-and-set loop ----------------------------

_UNKNOWN = object()
_MAX_TRIES = 1000
_CACHE_LIMIT = 100_000


class StateCache:
    """What this process last wrote or read for each key: a guess, checked by every write."""

    def __init__(self) -> None:
        self._states: dict[str, LimitState | None] = {}

    def get(self, key: str) -> object:
        return self._states.get(key, _UNKNOWN)

    def put(self, key: str, state: LimitState | None) -> None:
        if len(self._states) >= _CACHE_LIMIT:
            self._states.clear()
        self._states[key] = state


def apply(store: LimitStore, cache: StateCache, key: str, step: Step[T]) -> T:
    """Applies ``step`` to the key's state atomically and returns its outcome."""
    guess = cache.get(key)
    fresh = guess is _UNKNOWN
    state = store.read(key) if fresh else guess
    for _ in range(_MAX_TRIES):
        assert state is None or isinstance(state, LimitState)
        new, outcome = step(state)
        if new is None:
            if fresh:  # nothing to write, decided on the state as stored
                cache.put(key, state)
                return outcome
        elif store.compare_and_set(key, state, new):
            cache.put(key, new)
            return outcome
        state, fresh = store.read(key), True
    raise RuntimeError(f"rate limit state '{key}' kept changing for {_MAX_TRIES} tries")


# --- the stores ----------------------------------------------------------------------------

_ROW = RateLimitState
_PRUNE_EVERY_SECONDS = 300.0


class DatabaseStore:
    """Limits in the ``rate_limit_state`` table of the product's database.

    Its own small pool of autocommit connections whose commits do not wait for the disk
    (``synchronous=NORMAL`` in SQLite's WAL mode, ``synchronous_commit=off`` on PostgreSQL):
    a crash may forget the last few counts, never corrupt them."""

    def __init__(self, url: str) -> None:
        self._engine = _limits_engine(url)
        insert = sqlite_insert if url.startswith("sqlite") else pg_insert
        new_values: dict[str, Any] = {
            "tat": bindparam("new_tat"),
            "count": bindparam("new_count"),
            "expires_at": bindparam("new_expires_at"),
        }
        # Built once: each call only binds its values.
        self._select = select(_ROW.tat, _ROW.count, _ROW.expires_at).where(
            _ROW.key == bindparam("the_key")
        )
        # RETURNING says whether a row was inserted (an INSERT's rowcount is not reliable).
        self._insert = (
            insert(_ROW)
            .values(key=bindparam("the_key"), **new_values)
            .on_conflict_do_nothing()
            .returning(_ROW.key)
        )
        self._update = (
            update(_ROW)
            .where(
                _ROW.key == bindparam("the_key"),
                _ROW.tat == bindparam("old_tat"),
                _ROW.count == bindparam("old_count"),
                _ROW.expires_at == bindparam("old_expires_at"),
            )
            .values(**new_values)
        )
        self._next_prune = 0.0
        self._prune_lock = threading.Lock()

    def read(self, key: str) -> LimitState | None:
        _, row = self._execute(self._select, {"the_key": key})
        if row is None:
            return None
        return LimitState(float(row[0]), int(row[1]), float(row[2]))

    def compare_and_set(self, key: str, expected: LimitState | None, new: LimitState) -> bool:
        values = {
            "the_key": key,
            "new_tat": new.tat,
            "new_count": new.count,
            "new_expires_at": new.expires_at,
        }
        if expected is None:
            _, inserted = self._execute(self._insert, values)
            changed = inserted is not None
        else:
            old = {
                "old_tat": expected.tat,
                "old_count": expected.count,
                "old_expires_at": expected.expires_at,
            }
            rowcount, _ = self._execute(self._update, values | old)
            changed = rowcount == 1
        self._maybe_prune(new.expires_at)
        return changed

    def _execute(
        self, statement: Executable, values: dict[str, Any] | None = None
    ) -> tuple[int, tuple[Any, ...] | None]:
        """Runs one statement on a pooled connection: its row count and first row. A pooled
        connection whose server went away is replaced once (instead of pinging the server
        before every use, which would double the round trips)."""
        for attempt in range(2):
            try:
                with self._engine.connect() as conn:
                    result = conn.execute(statement, values)
                    row = result.first() if result.returns_rows else None
                    return result.rowcount, tuple(row) if row is not None else None
            except DBAPIError as exc:
                if attempt or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def _maybe_prune(self, now: float) -> None:
        """Deletes expired rows, at most once every five minutes per process."""
        if now < self._next_prune or not self._prune_lock.acquire(blocking=False):
            return
        try:
            now = time.time()
            self._next_prune = now + _PRUNE_EVERY_SECONDS
            self._execute(delete(_ROW).where(_ROW.expires_at < now))
        finally:
            self._prune_lock.release()


def _limits_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = make_engine(url)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20)

    @event.listens_for(engine, "connect")
    def _no_waiting_for_the_disk(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        if url.startswith("sqlite"):
            cursor.execute("PRAGMA synchronous=NORMAL")
        else:
            cursor.execute("SET synchronous_commit TO OFF")
            dbapi_conn.commit()
        cursor.close()

    return engine.execution_options(isolation_level="AUTOCOMMIT")


# Compare-and-set of one hash: fields are written and compared as Python's repr of each
# number, which reads back as exactly the same float.
_REDIS_COMPARE_AND_SET = """
local current = redis.call('HMGET', KEYS[1], 'tat', 'count', 'expires_at')
if ARGV[1] == '1' then
  if current[1] ~= ARGV[2] or current[2] ~= ARGV[3] or current[3] ~= ARGV[4] then
    return 0
  end
elseif current[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'tat', ARGV[5], 'count', ARGV[6], 'expires_at', ARGV[7])
redis.call('PEXPIREAT', KEYS[1], ARGV[8])
return 1
"""


class RedisStore:
    """Limits in Redis: one hash per key, expiring with its state."""

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix
        self._compare_and_set = self._redis.register_script(_REDIS_COMPARE_AND_SET)

    def read(self, key: str) -> LimitState | None:
        tat, count, expires_at = self._redis.hmget(
            self._prefix + key, ["tat", "count", "expires_at"]
        )
        if tat is None or count is None or expires_at is None:
            return None
        return LimitState(float(tat), int(count), float(expires_at))

    def compare_and_set(self, key: str, expected: LimitState | None, new: LimitState) -> bool:
        old = _fields(expected) if expected is not None else ["", "", ""]
        args = ["1" if expected is not None else "0", *old, *_fields(new)]
        args.append(str(math.ceil(new.expires_at * 1000)))
        return bool(self._compare_and_set(keys=[self._prefix + key], args=args))


def _fields(state: LimitState) -> list[str]:
    return [repr(state.tat), str(state.count), repr(state.expires_at)]


# --- the limiter ---------------------------------------------------------------------------

QUOTA_NAMES = {"api": "API calls", "execution": "executions", "upload": "uploads"}


def retry_after_seconds(wait: float) -> int:
    """``Retry-After`` in whole seconds, rounded up, at least 1."""
    return max(1, math.ceil(wait))


class RateLimiter:
    """Quotas per principal and log-in throttling, over one store."""

    def __init__(
        self,
        store: LimitStore,
        cache: StateCache,
        *,
        quotas: dict[str, int] | None,
        account: ThrottlePolicy,
        address: ThrottlePolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.cache = cache
        self.quotas = quotas  # None: quotas are off
        self.account = account
        self.address = address
        self._clock = clock

    def _apply(self, key: str, step: Step[T]) -> T:
        return apply(self.store, self.cache, key, step)

    def charge(self, quota: str, principal: str) -> None:
        """Counts one call of ``principal`` against ``quota``; 429 ``rate_limited`` with
        ``Retry-After`` when its quota is spent (and nothing is counted)."""
        if self.quotas is None:
            return
        per_hour = self.quotas[quota]
        verdict = self._apply(f"quota:{quota}:{principal}", gcra_take(self._clock(), per_hour))
        if not verdict.allowed:
            seconds = retry_after_seconds(verdict.retry_after)
            raise ApiError(
                429,
                "rate_limited",
                f"Too many {QUOTA_NAMES[quota]}: at most {per_hour} an hour; "
                f"try again in {seconds} s",
                {"quota": quota, "per_hour": per_hour, "retry_after_seconds": seconds},
                headers={"Retry-After": str(seconds)},
            )

    def refund(self, quota: str, principal: str) -> None:
        """Gives back a call ``charge`` counted, for a request that was refused."""
        if self.quotas is None:
            return
        step = gcra_give_back(self._clock(), self.quotas[quota])
        self._apply(f"quota:{quota}:{principal}", step)

    @contextmanager
    def quota(self, quota: str, principal: str) -> Iterator[None]:
        """Charges on entry; refunds if the block raises an error meaning nothing was done
        (a 4xx, or 503: a dependency was unreachable)."""
        self.charge(quota, principal)
        try:
            yield
        except ApiError as exc:
            if exc.status < 500 or exc.status == 503:
                self.refund(quota, principal)
            raise
        except RequestValidationError:
            self.refund(quota, principal)
            raise

    def begin_login(self, email: str, address: str) -> None:
        """Counts a log-in attempt (as a failure until ``login_succeeded``) for the account
        and the client address; 429 ``too_many_attempts`` with ``Retry-After`` while either
        is blocked (and then nothing is counted)."""
        now = self._clock()
        account_key, address_key = _account_key(email), f"login-address:{address}"
        verdict = self._apply(account_key, throttle_attempt(now, self.account))
        if verdict.allowed:
            verdict = self._apply(address_key, throttle_attempt(now, self.address))
            if not verdict.allowed:  # this attempt is not made: do not count it
                self._apply(account_key, throttle_forgive(now, self.account, reset=False))
        if not verdict.allowed:
            seconds = retry_after_seconds(verdict.retry_after)
            raise ApiError(
                429,
                "too_many_attempts",
                f"Too many failed log-ins; try again in {seconds} s",
                {"retry_after_seconds": seconds},
                headers={"Retry-After": str(seconds)},
            )

    def login_succeeded(self, email: str, address: str) -> None:
        """The attempt was right: the account's failures are reset, the address's kept."""
        now = self._clock()
        self._apply(_account_key(email), throttle_forgive(now, self.account, reset=True))
        self._apply(f"login-address:{address}", throttle_forgive(now, self.address, reset=False))

    def forget_account(self, email: str) -> None:
        """Clears an account's failures and block (an administrator reset its password)."""
        now = self._clock()
        self._apply(_account_key(email), throttle_forgive(now, self.account, reset=True))


def _account_key(email: str) -> str:
    """The account's key: a hash of the normalised email (any length, never stored as is)."""
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()[:40]


@lru_cache
def _store(
    database_url: str, redis_url: str | None, redis_prefix: str
) -> tuple[LimitStore, StateCache]:
    if redis_url:
        return RedisStore(redis_url, redis_prefix), StateCache()
    return DatabaseStore(database_url), StateCache()


def limiter_for(settings: Settings) -> RateLimiter:
    """The limiter these settings describe (its store is made once per process)."""
    store, cache = _store(
        settings.sqlalchemy_url, settings.rate_limit_redis_url, settings.rate_limit_redis_prefix
    )
    quotas = {
        "api": settings.rate_limit_api_calls_per_hour,
        "execution": settings.rate_limit_executions_per_hour,
        "upload": settings.rate_limit_uploads_per_hour,
    }

    def policy(limit: int) -> ThrottlePolicy:
        return ThrottlePolicy(
            failure_limit=limit,
            first_delay=settings.login_delay_seconds,
            max_delay=settings.login_max_delay_seconds,
            memory=settings.login_failure_memory_seconds,
        )

    return RateLimiter(
        store,
        cache,
        quotas=quotas if settings.rate_limits_enabled else None,
        account=policy(settings.login_account_failure_limit),
        address=policy(settings.login_address_failure_limit),
    )
