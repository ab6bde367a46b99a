"""Health endpoints for operators and orchestrators (no token)."""

from django.conf import settings
from django.db import DatabaseError, connections
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from metadata_service.db_routers import PRIMARY
from metadata_service.openapi import problem_responses
from metadata_service.problems import ServiceUnavailable
from metadata_service.replicas import REPLICAS

NO_STORE = {"Cache-Control": "no-store"}
OK = {"const": "ok"}


class HealthView(APIView):
    """Base of the health endpoints: public, never cached, JSON."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]


class LivenessView(HealthView):
    """``GET /health/live``: 200 while the process serves requests; touches nothing else."""

    @extend_schema(
        tags=["operations"],
        summary="Liveness: the process serves requests",
        responses={
            200: OpenApiResponse({"type": "object", "required": ["status"], "properties": {"status": OK}}),
            **problem_responses(406),
        },
    )
    def get(self, request):
        return Response({"status": "ok"}, headers=NO_STORE)


DATABASE_STATE = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"enum": ["ok", "unavailable", "not_a_standby"]},
        "replayLagSeconds": {"type": "number", "description": "a replica's replay lag (0 when caught up)"},
    },
}
READY = {
    "type": "object",
    "required": ["status", "database", "databases"],
    "properties": {
        "status": {"enum": ["ok", "degraded"], "description": "degraded: a replica is down (its reads go elsewhere)"},
        "database": OK,
        "databases": {"type": "object", "additionalProperties": DATABASE_STATE},
    },
}


class ReadinessView(HealthView):
    """``GET /health/ready``: 200 when the primary answers (``degraded`` if a replica does not), else 503."""

    @extend_schema(
        tags=["operations"],
        summary="Readiness: the primary database answers; each replica's state",
        responses={200: OpenApiResponse(READY), **problem_responses(406, 503)},
    )
    def get(self, request):
        try:
            with connections[PRIMARY].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            raise ServiceUnavailable() from None
        databases = {PRIMARY: {"status": "ok"}}
        databases.update({alias: REPLICAS.state(alias) for alias in settings.DATABASE_REPLICAS})
        status = "ok" if all(state["status"] == "ok" for state in databases.values()) else "degraded"
        return Response({"status": status, "database": "ok", "databases": databases}, headers=NO_STORE)
