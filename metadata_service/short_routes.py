"""Hot routes answered by a shorter middleware chain, past Django's URL resolver.

Services read one resource on every request they serve. Under gunicorn, Django's resolver (it tries the
URL patterns in order: about a tenth of a millisecond for an item here) and the middleware that has
nothing to do for such a request cost as much as the read itself. So an app names one of its URL
patterns, a test of the requests that may take it and the function that answers them (``short_route``).
Such a request is matched by that pattern's own regular expression and handed to that function through
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
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, set_urlconf
from django.urls.resolvers import ResolverMatch
from django.utils.log import log_response
from django.utils.module_loading import import_string

# URL name → the test of the requests its short route takes and their answer (registered by the apps' URL modules).
_REGISTERED: dict[str, tuple[Callable[[HttpRequest], bool], Callable[..., HttpResponse]]] = {}
# Hooks the short chain does not run (it calls the view itself): a layer with one stays on Django's path.
VIEW_HOOKS = ("process_view", "process_exception", "process_template_response")


def short_route(name: str, *, takes: Callable[[HttpRequest], bool], answer: Callable[..., HttpResponse]) -> None:
    """Let the requests to the URL pattern ``name`` that ``takes`` accepts take the short chain, at whose end
    ``answer(request, **the pattern's keyword arguments)`` answers them as the pattern's view would.

    The handler itself only offers requests with no body outside ``STATIC_URL`` and
    ``BROWSER_PATH_PREFIXES``: the layers ``SHORT_ROUTE_MIDDLEWARE`` leaves out have nothing to do for them.
    """
    _REGISTERED[name] = (takes, answer)


@dataclass(frozen=True)
class ShortRoute:
    """One URL pattern, its full regular expression and route, the test of its requests and their answer."""

    regex: re.Pattern
    route: str
    pattern: URLPattern
    takes: Callable[[HttpRequest], bool]
    answer: Callable[..., HttpResponse]

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
        elif isinstance(pattern, URLPattern) and pattern.name in _REGISTERED:
            yield ShortRoute(re.compile(joined_regex), joined_route, pattern, *_REGISTERED[pattern.name])


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
        self._short_routes: dict[str, list[tuple[ShortRoute, Callable]]] = {}  # per URLconf, with their chains
        self._outside = (settings.STATIC_URL or "/static/", *settings.BROWSER_PATH_PREFIXES)

    def _chain_of(self, paths, answer):
        """The layers around ``answer``, each as Django wraps them (an exception becomes a response)."""
        handler = convert_exception_to_response(_answering(answer))
        for path in reversed(paths):
            layer = import_string(path)(handler)
            if any(hasattr(layer, hook) for hook in VIEW_HOOKS):
                raise ImproperlyConfigured(f"{path} has a view hook; it cannot be in SHORT_ROUTE_MIDDLEWARE")
            handler = convert_exception_to_response(layer)
        return handler

    def get_response(self, request):
        """A routed request through the short chain (as ``BaseHandler.get_response`` does), others as Django does."""
        match, chain = self._short_match(request)
        if match is None:
            return super().get_response(request)  # type: ignore[misc]
        set_urlconf(settings.ROOT_URLCONF)
        request.resolver_match = match
        response = chain(request)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response("%s: %s", response.reason_phrase, request.path, response=response, request=request)
        return response

    def _short_match(self, request):
        """``(resolver match, chain)`` of the route that takes ``request``, or ``(None, None)``."""
        if not bodiless(request) or request.path_info.startswith(self._outside):
            return None, None
        for route, chain in self._routes_of(settings.ROOT_URLCONF):
            match = route.match(request)
            if match is not None:
                return match, chain
        return None, None

    def _routes_of(self, urlconf):
        if urlconf not in self._short_routes:
            routes = short_routes_of(get_resolver(urlconf))
            chains = [self._chain_of(settings.SHORT_ROUTE_MIDDLEWARE, route.answer) for route in routes]
            self._short_routes[urlconf] = list(zip(routes, chains, strict=True))
        return self._short_routes[urlconf]


def _answering(answer):
    """The innermost layer: ``answer`` with the pattern's keyword arguments, as Django calls a view."""

    def view(request):
        return answer(request, **request.resolver_match.kwargs)

    return view


class ShortRouteWSGIHandler(ShortRoutes, WSGIHandler):
    """Django's WSGI handler with the short routes (``gunicorn metadata_service.wsgi:application``)."""
