import django_filters
from rest_framework import pagination, serializers, viewsets

from bench.textbook.models import Metadata


class MetadataSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metadata
        exclude = ["title_search"]


class MetadataFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(field_name="title_search", lookup_expr="icontains")

    class Meta:
        model = Metadata
        fields = ["type", "owner", "slug"]


class PageLimitPagination(pagination.PageNumberPagination):
    page_size = 10
    page_size_query_param = "limit"
    max_page_size = 100


class MetadataViewSet(viewsets.ModelViewSet):
    serializer_class = MetadataSerializer
    filterset_class = MetadataFilter
    pagination_class = PageLimitPagination
    lookup_field = "uuid"

    def get_queryset(self):
        return Metadata.objects.filter(tenant_id=self.request.auth["tenant"]).order_by("id")
