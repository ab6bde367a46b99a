from django.urls import re_path

from changes.views import ChangeListView, ChangeStreamView

urlpatterns = [
    re_path(r"^changes/?$", ChangeListView.as_view(), name="changes"),
    re_path(r"^changes/stream/?$", ChangeStreamView.as_view(), name="changes-stream"),
]
