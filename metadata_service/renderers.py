"""JSON rendering shared by every API view."""

from rest_framework.renderers import JSONRenderer


class UTF8JSONRenderer(JSONRenderer):
    """Plain JSON whose Content-Type says ``charset=utf-8``."""

    charset = "utf-8"
