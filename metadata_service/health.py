"""Health endpoints for operators and orchestrators (no token)."""

from django.db import DatabaseError, connections
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from metadata_service.openapi import problem_responses
from metadata_service.problems import ServiceUnavailable

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


class ReadinessView(HealthView):
    """``GET /health/ready``: 200 when the database answers a query, else 503 problem+json."""

    @extend_schema(
        tags=["operations"],
        summary="Readiness: the database answers",
        responses={
            200: OpenApiResponse(
                {"type": "object", "required": ["status", "database"], "properties": {"status": OK, "database": OK}}
            ),
            **problem_responses(406, 503),
        },
    )
    def get(self, request):
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            raise ServiceUnavailable() from None
        return Response({"status": "ok", "database": "ok"}, headers=NO_STORE)
