"""An API endpoint that says nothing about permissions is closed: DRF's defaults (settings.REST_FRAMEWORK,
mediareg.permissions) ask for a signed-in user with the model permission, view permission to read.

The endpoints are throwaway ones built with the defaults, mounted on this module's URLs and called through
the whole stack (middleware, session login), as a future endpoint would be.
"""

import pytest
from django.urls import include, path
from rest_framework import routers, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.models import MediaOutlet
from tests.factories import MediaOutletFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediaOutlet
        fields = ["id", "name"]


class OutletViewSet(viewsets.ModelViewSet):
    queryset = MediaOutlet.objects.order_by("pk")
    serializer_class = OutletSerializer


class SummaryView(APIView):
    """No queryset, so no model whose permission could be asked for."""

    def get(self, request):
        return Response({"outlets": MediaOutlet.objects.count()})


class PublicSummaryView(SummaryView):
    permission_classes = [AllowAny]  # the explicit opt-in a public endpoint makes


router = routers.DefaultRouter()
router.register("outlets", OutletViewSet)
urlpatterns = [
    path("api/", include(router.urls)),
    path("api/summary/", SummaryView.as_view()),
    path("api/public-summary/", PublicSummaryView.as_view()),
]


@pytest.fixture
def outlet():
    return MediaOutletFactory(name="Kabar Rahasia")


def test_an_anonymous_visitor_reads_nothing(client, outlet):
    """401 with the way to sign in (a token), not 403: the visitor is not known, not refused."""
    for url in ("/api/", "/api/outlets/", f"/api/outlets/{outlet.pk}/", "/api/summary/"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
        assert "Kabar Rahasia" not in response.content.decode()
    assert client.post("/api/outlets/", {"name": "Baru"}).status_code == 401


def test_a_signed_in_user_without_the_view_permission_reads_nothing(client, outlet):
    client.force_login(UserFactory(is_staff=True))
    for url in ("/api/outlets/", f"/api/outlets/{outlet.pk}/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Kabar Rahasia" not in response.content.decode()
    assert client.options("/api/outlets/").status_code == 403
    assert client.get("/api/").status_code == 200  # the API root lists the endpoints; each checks its own


def test_the_view_permission_reads_and_writing_needs_its_own_permission(client, outlet):
    client.force_login(UserFactory(permissions=["partners.view_mediaoutlet"]))
    response = client.get("/api/outlets/")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Kabar Rahasia"]
    assert client.patch(f"/api/outlets/{outlet.pk}/", {"name": "Diubah"},
                        content_type="application/json").status_code == 403
    assert client.delete(f"/api/outlets/{outlet.pk}/").status_code == 403
    outlet.refresh_from_db()
    assert outlet.name == "Kabar Rahasia"


def test_a_view_without_a_model_is_closed_to_everyone_until_it_opens_itself(client, outlet):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/api/summary/").status_code == 403
    client.logout()
    response = client.get("/api/public-summary/")
    assert (response.status_code, response.json()) == (200, {"outlets": 1})
