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

Both are small functions of one state (``LimitState``) applied atomically by a store: the
database (the default: every API process sharing the database shares the limits; the row is
locked by ``BEGIN IMMEDIATE`` on SQLite and ``SELECT … FOR UPDATE`` on PostgreSQL) or Redis
(``RATE_LIMIT_REDIS_URL``; ``WATCH``/``MULTI``, retried when another process got there
first). The algorithm is written once, in this module, for both.
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
from sqlalchemy import Connection, Engine, delete, event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

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
"""Reads a key's state (None: none yet) and returns the state to write (None: leave it)
and its outcome."""


class LimitStore(Protocol):
    def update(self, key: str, step: Step[T]) -> T:
        """Applies ``step`` to the key's state atomically, across every process sharing the
        store, and returns its outcome."""
        ...


# --- the algorithm -------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0


def _live(state: LimitState | None, now: float) -> LimitState | None:
    return state if state is not None and state.expires_at > now else None


def gcra_take(now: float, per_hour: int) -> Step[Verdict]:
    """One call against ``per_hour`` calls an hour."""
    interval = HOUR / per_hour

    def step(state: LimitState | None) -> tuple[LimitState | None, Verdict]:
        live = _live(state, now)
        tat = max(live.tat, now) if live else now
        new_tat = tat + interval
        if new_tat - now > HOUR:
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


# --- the stores ----------------------------------------------------------------------------

_ROW = RateLimitState
_PRUNE_EVERY_SECONDS = 300.0


class DatabaseStore:
    """Limits in the ``rate_limit_state`` table of the product's database.

    A dedicated small pool whose commits do not wait for the disk (``synchronous=NORMAL``
    in SQLite's WAL mode, ``synchronous_commit=off`` on PostgreSQL): a crash may forget the
    last few counts, never corrupt them."""

    def __init__(self, url: str) -> None:
        self._sqlite = url.startswith("sqlite")
        self._engine = _limits_engine(url)
        self._next_prune = 0.0
        self._prune_lock = threading.Lock()

    def update(self, key: str, step: Step[T]) -> T:
        with self._engine.connect() as conn:
            if self._sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, before reading
            state = self._locked_row(conn, key)
            new, outcome = step(state)
            if new is not None:
                values = {"tat": new.tat, "count": new.count, "expires_at": new.expires_at}
                if state is None and self._sqlite:
                    conn.execute(insert(_ROW).values(key=key, **values))
                else:
                    conn.execute(update(_ROW).where(_ROW.key == key).values(**values))
            conn.commit()
        self._maybe_prune()
        return outcome

    def _locked_row(self, conn: Connection, key: str) -> LimitState | None:
        """The key's row, locked until commit (on PostgreSQL created first if missing, so
        there is a row to lock; an empty row reads as expired)."""
        query = select(_ROW.tat, _ROW.count, _ROW.expires_at).where(_ROW.key == key)
        row = conn.execute(query.with_for_update()).first()
        if row is None and not self._sqlite:
            empty = {"key": key, "tat": 0.0, "count": 0, "expires_at": 0.0}
            conn.execute(pg_insert(_ROW).values(**empty).on_conflict_do_nothing())
            row = conn.execute(query.with_for_update()).first()
        return LimitState(row[0], row[1], row[2]) if row is not None else None

    def _maybe_prune(self) -> None:
        """Deletes expired rows, at most once every five minutes per process."""
        now = time.time()
        if now < self._next_prune or not self._prune_lock.acquire(blocking=False):
            return
        try:
            self._next_prune = now + _PRUNE_EVERY_SECONDS
            with self._engine.begin() as conn:
                conn.execute(delete(_ROW).where(_ROW.expires_at < now))
        finally:
            self._prune_lock.release()


def _limits_engine(url: str) -> Engine:
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _no_waiting_for_the_disk(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        if url.startswith("sqlite"):
            cursor.execute("PRAGMA synchronous=NORMAL")
        else:
            cursor.execute("SET synchronous_commit TO OFF")
            dbapi_conn.commit()
        cursor.close()

    return engine


class RedisStore:
    """Limits in Redis: one hash per key, expiring with its state."""

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def update(self, key: str, step: Step[T]) -> T:
        name = self._prefix + key
        with self._redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)
                    tat, count, expires_at = pipe.hmget(name, ["tat", "count", "expires_at"])
                    state = None
                    if tat is not None and count is not None and expires_at is not None:
                        state = LimitState(float(tat), int(count), float(expires_at))
                    new, outcome = step(state)
                    if new is not None:
                        pipe.multi()
                        pipe.hset(
                            name,
                            mapping={
                                "tat": new.tat,
                                "count": new.count,
                                "expires_at": new.expires_at,
                            },
                        )
                        pipe.pexpireat(name, math.ceil(new.expires_at * 1000))
                        pipe.execute()
                    return outcome
                except redis.WatchError:
                    continue  # another process changed the key between WATCH and EXEC


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
        *,
        quotas: dict[str, int] | None,
        account: ThrottlePolicy,
        address: ThrottlePolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.quotas = quotas  # None: quotas are off
        self.account = account
        self.address = address
        self._clock = clock

    def charge(self, quota: str, principal: str) -> None:
        """Counts one call of ``principal`` against ``quota``; 429 ``rate_limited`` with
        ``Retry-After`` when its quota is spent (and nothing is counted)."""
        if self.quotas is None:
            return
        per_hour = self.quotas[quota]
        verdict = self.store.update(
            f"quota:{quota}:{principal}", gcra_take(self._clock(), per_hour)
        )
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
        self.store.update(f"quota:{quota}:{principal}", step)

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
        verdict = self.store.update(account_key, throttle_attempt(now, self.account))
        if verdict.allowed:
            verdict = self.store.update(address_key, throttle_attempt(now, self.address))
            if not verdict.allowed:  # this attempt is not made: do not count it
                self.store.update(account_key, throttle_forgive(now, self.account, reset=False))
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
        self.store.update(_account_key(email), throttle_forgive(now, self.account, reset=True))
        self.store.update(
            f"login-address:{address}", throttle_forgive(now, self.address, reset=False)
        )

    def forget_account(self, email: str) -> None:
        """Clears an account's failures and block (an administrator reset its password)."""
        now = self._clock()
        self.store.update(_account_key(email), throttle_forgive(now, self.account, reset=True))


def _account_key(email: str) -> str:
    """The account's key: a hash of the normalised email (any length, never stored as is)."""
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()[:40]


@lru_cache
def _store(database_url: str, redis_url: str | None, redis_prefix: str) -> LimitStore:
    if redis_url:
        return RedisStore(redis_url, redis_prefix)
    return DatabaseStore(database_url)


def limiter_for(settings: Settings) -> RateLimiter:
    """The limiter these settings describe (its store is made once per process)."""
    store = _store(
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
        quotas=quotas if settings.rate_limits_enabled else None,
        account=policy(settings.login_account_failure_limit),
        address=policy(settings.login_address_failure_limit),
    )
