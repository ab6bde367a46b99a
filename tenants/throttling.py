"""Rate limits per tenant and per token, counted in the shared cache so that they hold across workers."""

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from metadata_service.conf import service_settings
from metadata_service.shared_redis import ERRORS, shared_key, shared_redis

logger = logging.getLogger(__name__)

RATE_OFF = {"", "off", "none"}
COUNTS_MEMO = "rate_counts"
RATE_LIMITS_MEMO = "rate_limits"  # the request's RateLimitState list, for the headers and GET /tenant
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@lru_cache(maxsize=64)  # a handful of configured rates, parsed twice per request otherwise
def parse_rate(rate):
    """``"100/min"`` → ``(100, 60)``; ``None`` or ``"off"`` → ``(None, None)`` (no limit)."""
    if rate is None or rate.strip().lower() in RATE_OFF:
        return None, None
    number, period = rate.split("/")
    return int(number), PERIOD_SECONDS[period.strip()[0]]


@dataclass(frozen=True)
class PlannedCounter:
    """One scope's counter of one request: at most ``most`` per ``duration`` seconds, counted under ``key``."""

    scope: str
    most: int
    duration: int
    now: float
    key: str

    @property
    def ttl(self):
        return self.duration + 1

    def seconds_left(self):
        return (int(self.now // self.duration) + 1) * self.duration - self.now


@dataclass(frozen=True)
class RateLimitState:
    """Where one of a request's limits stands after counting it: what the RateLimit headers announce."""

    scope: str
    limit: int
    window: int
    remaining: int
    reset: int  # seconds until the window ends

    def as_dict(self):
        return {"scope": self.scope, "limit": self.limit, "window": self.window, "remaining": self.remaining}


def rate_limit_states(counted):
    return [
        RateLimitState(c.scope, c.most, c.duration, max(c.most - count, 0), math.ceil(c.seconds_left()))
        for c, count in counted
    ]


def rate_limit_headers(states):
    """IETF RateLimit-Policy (every limit: ``limit;w=window``) and RateLimit (the tightest limit's numbers)."""
    tightest = min(states, key=lambda state: (state.remaining, state.reset))
    return {
        "RateLimit-Policy": ", ".join(f'{state.limit};w={state.window};comment="{state.scope}"' for state in states),
        "RateLimit": f"limit={tightest.limit}, remaining={tightest.remaining}, reset={tightest.reset}",
    }


class RateLimitHeadersMiddleware:
    """Adds the RateLimit headers to every response of a request whose token was counted.

    The numbers are the ones the 429 decision used (``FixedWindowRateThrottle`` keeps them on the
    identity): no other round trip to the counters. REST, the lean item read and GraphQL all count
    through ``TenantJWTAuthentication``, which names the identity on the Django request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        identity = getattr(request, "token_identity", None)
        states = identity.memo.get(RATE_LIMITS_MEMO) if identity is not None else None
        if states:
            for name, value in rate_limit_headers(states).items():
                response[name] = value
        return response


class FixedWindowRateThrottle(BaseThrottle):
    """At most N requests per window for each of its scopes, every scope counted in one cache round trip.

    A counter per scope, key and window, raised with an atomic increment: unlike DRF's
    ``SimpleRateThrottle`` (a list of timestamps read and rewritten by every request) it loses no
    count to concurrent workers and costs the same at any rate. With Redis (``REDIS_URL``) all of a
    request's counters travel in one pipelined round trip; without it they live in local memory.
    When the cache is unreachable the request passes and a warning is logged: the limiter must not
    take the service down with it. Subclasses name their ``scopes`` and key them in ``idents()``.
    """

    scopes: tuple[str, ...] = ()

    def __init__(self):
        rates = api_settings.DEFAULT_THROTTLE_RATES
        self.limits = {scope: parse_rate(rates.get(scope)) for scope in self.scopes}
        self.wait_seconds = None

    def idents(self, request):
        """Scope → what is counted in it for this request (None: not counted)."""
        raise NotImplementedError

    def plan(self, request):
        """The counters this request raises: one per limited scope, in the current window of each."""
        now = time.time()
        return [
            PlannedCounter(scope, most, duration, now, f"throttle:{scope}:{ident}:{int(now // duration)}")
            for scope, ident in self.idents(request).items()
            if ident is not None and self.limits[scope][0] is not None
            for most, duration in [self.limits[scope]]
        ]

    @staticmethod
    def keep_counts(identity, counters, counts):
        """Keep counts raised elsewhere (with the tenant's state, ``tenants.registry``) for this request's check."""
        identity.memo[COUNTS_MEMO] = list(zip(counters, counts, strict=True))

    def allow_request(self, request, view):
        counted = getattr(request.user, "memo", {}).pop(COUNTS_MEMO, None)
        if counted is None:
            counted = self.count(self.plan(request))
            if counted is None:
                return True
        memo = getattr(request.user, "memo", None)
        if isinstance(memo, dict):
            memo[RATE_LIMITS_MEMO] = rate_limit_states(counted)
        waits = [counter.seconds_left() for counter, count in counted if count > counter.most]
        if not waits:
            return True
        self.wait_seconds = max(waits)
        return False

    def count(self, counters):
        """Raise each planned counter by one; ``[(counter, new value)]``, or None when the cache is unreachable."""
        try:
            counts = add_one_to_each([(counter.key, counter.ttl) for counter in counters])
        except ERRORS as exc:
            logger.warning("rate limit not checked, the cache is unreachable: %s", exc)
            return None
        return list(zip(counters, counts, strict=True))

    def wait(self):
        return self.wait_seconds


def add_one_to_each(keys):
    """Raise each ``(key, seconds to live)`` counter by one; their new values, in order."""
    client = shared_redis()
    if client is None:
        return [_add_one_locally(key, ttl) for key, ttl in keys]
    pipeline = client.pipeline(transaction=False)
    for key, ttl in keys:
        pipeline.incr(shared_key(key))
        pipeline.expire(shared_key(key), ttl)
    return pipeline.execute()[0::2]


def _add_one_locally(key, ttl):
    try:
        return cache.incr(key)
    except ValueError:  # first request of the window (or the key just expired)
        if cache.add(key, 1, timeout=ttl):
            return 1
        return cache.incr(key)


def token_ident(raw):
    """What one token is counted as: a hash of the part its signature covers (header and claims).

    Not the whole text: one token has many spellings that verify (``=`` padding after the signature,
    other unused low bits in its last base64 character, and for ES256 a second signature ``(r, n - s)``).
    Changing what the signature covers needs the key, so each token has one budget.
    """
    if isinstance(raw, str):
        raw = raw.encode()
    return hashlib.sha256(raw.rpartition(b".")[0] or raw).hexdigest()


class TenantAndTokenRateThrottle(FixedWindowRateThrottle):
    """``THROTTLE_RATE_TENANT`` for all tokens of one tenant together, ``THROTTLE_RATE_TOKEN`` per token.

    A token is keyed by a hash (``token_ident``), never by the token itself.
    """

    scopes = ("tenant", "token")

    def idents(self, request):
        tenant_id = getattr(request.user, "tenant_id", None)
        raw = getattr(request.auth, "token", None)
        return {
            "tenant": str(tenant_id) if tenant_id else None,
            "token": token_ident(raw) if raw else None,
        }


def client_address(request):
    """The address a request came from: the socket's, unless ``TRUSTED_PROXY_COUNT`` proxies stand in front.

    Behind N trusted proxies it is the N-th address from the right of ``X-Forwarded-For`` (each proxy appends
    the address it was reached from); what a client writes further left is never believed.
    """
    proxies = service_settings.TRUSTED_PROXY_COUNT
    socket_address = request.META.get("REMOTE_ADDR") or None
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies <= 0 or not forwarded:
        return socket_address
    return forwarded[-min(proxies, len(forwarded))]


class LoginRateThrottle(FixedWindowRateThrottle):
    """``THROTTLE_RATE_LOGIN``: password attempts per client address, on POST /tokens and the admin's sign-in.

    Both count in one budget per address (``client_address``). Not per username: that would let anyone
    lock a member out by failing on purpose.
    """

    scopes = ("login",)

    def idents(self, request):
        return {"login": client_address(request)}
