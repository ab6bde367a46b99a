"""Rate limits per tenant and per token, counted in the shared cache so that they hold across workers."""

import hashlib
import logging
import time

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

RATE_OFF = {"", "off", "none"}
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
CACHE_ERRORS = (RedisError, OSError)


def parse_rate(rate):
    """``"100/min"`` → ``(100, 60)``; ``None`` or ``"off"`` → ``(None, None)`` (no limit)."""
    if rate is None or rate.strip().lower() in RATE_OFF:
        return None, None
    number, period = rate.split("/")
    return int(number), PERIOD_SECONDS[period.strip()[0]]


class FixedWindowRateThrottle(BaseThrottle):
    """At most N requests per window and key, counted with the cache's atomic increment.

    Unlike DRF's ``SimpleRateThrottle`` (a list of timestamps read and rewritten by every request),
    a counter per window costs two cache calls at any rate and loses no count to concurrent workers.
    When the cache is unreachable the request passes and a warning is logged: the limiter must not
    take the service down with it. Subclasses name the ``scope`` and the key in ``throttle_key()``.
    """

    scope = None

    def __init__(self):
        self.num_requests, self.duration = parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))
        self.wait_seconds = None

    def throttle_key(self, request):
        raise NotImplementedError

    def allow_request(self, request, view):
        ident = self.throttle_key(request) if self.num_requests is not None else None
        if ident is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        try:
            count = self._count(f"throttle:{self.scope}:{ident}:{window}")
        except CACHE_ERRORS as exc:
            logger.warning("rate limit not checked, the cache is unreachable: %s", exc)
            return True
        if count <= self.num_requests:
            return True
        self.wait_seconds = (window + 1) * self.duration - now
        return False

    def wait(self):
        return self.wait_seconds

    def _count(self, key):
        """Add one to the window's counter and return it; the counter expires with its window."""
        try:
            return cache.incr(key)
        except ValueError:  # first request of the window (or the key just expired)
            if cache.add(key, 1, timeout=self.duration + 1):
                return 1
            return cache.incr(key)


class TenantRateThrottle(FixedWindowRateThrottle):
    """``THROTTLE_RATE_TENANT``: all tokens of one tenant together."""

    scope = "tenant"

    def throttle_key(self, request):
        return str(getattr(request.user, "tenant_id", "") or "") or None


class TokenRateThrottle(FixedWindowRateThrottle):
    """``THROTTLE_RATE_TOKEN``: one bearer token (keyed by its hash, never the token itself)."""

    scope = "token"

    def throttle_key(self, request):
        raw = getattr(request.auth, "token", None)
        if not raw:
            return None
        raw = raw.encode() if isinstance(raw, str) else raw
        return hashlib.sha256(raw).hexdigest()


class LoginRateThrottle(FixedWindowRateThrottle):
    """``THROTTLE_RATE_LOGIN``: password attempts on POST /tokens per client address.

    The address is DRF's (``REMOTE_ADDR``, or ``X-Forwarded-For`` behind ``NUM_PROXIES`` proxies).
    Not per username: that would let anyone lock a member out by failing on purpose.
    """

    scope = "login"

    def throttle_key(self, request):
        return self.get_ident(request) or None
