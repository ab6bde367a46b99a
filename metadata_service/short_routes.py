"""Hot routes answered by a shorter middleware chain, past Django's URL resolver.

Services read one resource on every request they serve. Under gunicorn, Django's resolver (it tries the
URL patterns in order: about a tenth of a millisecond for an item here) and the middleware that has
nothing to do for such a request cost as much as the read itself. So an app names one of its URL
patterns and a test of the requests that may take it (``short_route``). Such a request is matched by
that pattern's own regular expression and handed to the pattern's view through
``SHORT_ROUTE_MIDDLEWARE``: the ``MIDDLEWARE`` layers, the same classes in the same order, without the
ones that do nothing for a request with no body outside the static files and the browser pages. Its
``resolver_match`` is the one Django's resolver gives (metrics and renderers read it). Every other
request takes Django's whole path.

``ShortRoutes`` is a mixin of Django's request handlers: ``ShortRouteWSGIHandler`` serves under gunicorn
(``metadata_service.wsgi``), and the tests' client handler uses the same mixin, so a test request takes
the path it takes in production.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, get_resolver, set_urlconf
from django.urls.resolvers import ResolverMatch
from django.utils.log import log_response
from django.utils.module_loading import import_string

# URL name → the test of the requests its short route takes (registered by the apps' URL modules).
_TAKES: dict[str, Callable[[HttpRequest], bool]] = {}
# Hooks the short chain does not run (it calls the view itself): a layer with one stays on Django's path.
VIEW_HOOKS = ("process_view", "process_exception", "process_template_response")


def short_route(name: str, *, takes: Callable[[HttpRequest], bool]) -> None:
    """Let the requests to the URL pattern ``name`` that ``takes`` accepts take the short chain.

    The handler itself only offers requests with no body outside ``STATIC_URL`` and
    ``BROWSER_PATH_PREFIXES``: the layers ``SHORT_ROUTE_MIDDLEWARE`` leaves out have nothing to do for them.
    """
    _TAKES[name] = takes


@dataclass(frozen=True)
class ShortRoute:
    """One URL pattern's view, its full regular expression and route, and the test of its requests."""

    regex: re.Pattern
    route: str
    pattern: URLPattern
    takes: Callable[[HttpRequest], bool]

    def match(self, request: HttpRequest) -> ResolverMatch | None:
        """What Django's resolver would give for ``request``, if this route takes it."""
        found = self.regex.match(request.path_info)
        if found is None or not self.takes(request):
            return None
        captured = found.groupdict()
        extra = self.pattern.default_args
        return ResolverMatch(
            self.pattern.callback,
            (),
            {**captured, **extra},
            self.pattern.name,
            route=self.route,
            captured_kwargs=captured,
            extra_kwargs=extra,
        )


def short_routes_of(resolver: URLResolver) -> list[ShortRoute]:
    """The registered routes the URLconf has, found by name (importing it registers them)."""
    return list(_walk(resolver.url_patterns, regex="^/", route=""))


def _walk(patterns, *, regex: str, route: str) -> Iterator[ShortRoute]:
    for pattern in patterns:
        own = pattern.pattern.regex.pattern
        if not own.startswith("^"):  # unanchored: Django searches for it, a joined regex could not
            continue
        joined_regex, joined_route = regex + own[1:], _joined(route, str(pattern.pattern))
        if isinstance(pattern, URLResolver) and not pattern.namespace:
            yield from _walk(pattern.url_patterns, regex=joined_regex, route=joined_route)
        elif isinstance(pattern, URLPattern) and pattern.name in _TAKES:
            yield ShortRoute(re.compile(joined_regex), joined_route, pattern, _TAKES[pattern.name])


def _joined(route: str, own: str) -> str:
    """Routes joined as Django's resolver joins them (``URLResolver._join_route``)."""
    return own if not route else route + own.removeprefix("^")


def bodiless(request: HttpRequest) -> bool:
    """No body announced: the body limit has nothing to check."""
    meta = request.META
    return meta.get("CONTENT_LENGTH") in (None, "", "0") and "HTTP_TRANSFER_ENCODING" not in meta


class ShortRoutes:
    """A request handler mixin: registered routes through ``SHORT_ROUTE_MIDDLEWARE``, the rest as Django does."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async)  # type: ignore[misc]
        self._short_chain = self._chain_of(settings.SHORT_ROUTE_MIDDLEWARE)
        self._short_routes: dict[str, list[ShortRoute]] = {}
        self._outside = (settings.STATIC_URL or "/static/", *settings.BROWSER_PATH_PREFIXES)

    def _chain_of(self, paths):
        """The layers around the matched view, each as Django wraps them (an exception becomes a response)."""
        handler = convert_exception_to_response(_matched_view)
        for path in reversed(paths):
            layer = import_string(path)(handler)
            if any(hasattr(layer, hook) for hook in VIEW_HOOKS):
                raise ImproperlyConfigured(f"{path} has a view hook; it cannot be in SHORT_ROUTE_MIDDLEWARE")
            handler = convert_exception_to_response(layer)
        return handler

    def get_response(self, request):
        """A routed request through the short chain (as ``BaseHandler.get_response`` does), others as Django does."""
        match = self._short_match(request)
        if match is None:
            return super().get_response(request)  # type: ignore[misc]
        set_urlconf(settings.ROOT_URLCONF)
        request.resolver_match = match
        response = self._short_chain(request)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        return response

    def _short_match(self, request):
        if not bodiless(request) or request.path_info.startswith(self._outside):
            return None
        urlconf = settings.ROOT_URLCONF
        routes = self._short_routes.get(urlconf)
        if routes is None:
            routes = self._short_routes[urlconf] = short_routes_of(get_resolver(urlconf))
        for route in routes:
            match = route.match(request)
            if match is not None:
                return match
        return None


def _matched_view(request):
    match = request.resolver_match
    return match.func(request, *match.args, **match.kwargs)


class ShortRouteWSGIHandler(ShortRoutes, WSGIHandler):
    """Django's WSGI handler with the short routes (``gunicorn metadata_service.wsgi:application``)."""
