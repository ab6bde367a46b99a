"""POST /tokens and POST /tokens/refresh: simplejwt's views, issuing the platform's claims to tenant members.

A Django user obtains tokens only through a ``TenantMember`` row: its tenant, identity and roles
become the claims, so the tokens are read exactly like the platform's. Refreshing reads the member
again, so a role added, a user deactivated or a tenant disabled shows in the next access token.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt import settings as simplejwt_settings
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from tenants.models import TenantMember
from tenants.tokens import MemberRefreshToken, PlatformAccessToken, platform_claims, require_signing_key


def member_of(user):
    """The user's ``TenantMember`` row, or a 401 when the user belongs to no enabled tenant."""
    member = TenantMember.objects.select_related("tenant", "user").filter(user=user).first()
    if member is None:
        raise AuthenticationFailed("This user belongs to no tenant.", code="no_tenant")
    if not member.tenant.enabled:
        raise AuthenticationFailed("This user's tenant is disabled.", code="disabled_tenant")
    return member


def member_claims(member):
    """The platform claims of a member's tokens; permissions come from its roles when a request is made."""
    return platform_claims(
        tenant_id=member.tenant_id,
        identity_type=member.identity_type,
        identity_uuid=str(member.identity_uuid),
        roles=sorted(role.name for role in member.roles.all()),
        email=member.user.email,
        accounts=member.accounts,
    )


class MemberTokenObtainSerializer(TokenObtainPairSerializer):
    """Username and password of a tenant member → a refresh and an access token with the member's claims."""

    token_class = MemberRefreshToken

    def validate(self, attrs):
        require_signing_key()
        return super().validate(attrs)

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token.payload.update(member_claims(member_of(user)))
        return token


class MemberTokenRefreshSerializer(TokenRefreshSerializer):
    """A refresh token → a new access token with the member's current claims."""

    token_class = MemberRefreshToken

    def validate(self, attrs):
        require_signing_key()
        refresh = self.token_class(attrs["refresh"])
        member = member_of(self.active_user(refresh))
        if str(member.tenant_id) != refresh.get("tenant"):
            raise AuthenticationFailed("This user no longer belongs to the token's tenant.", code="no_tenant")
        access = PlatformAccessToken()
        access[self.user_id_claim] = refresh[self.user_id_claim]
        access.payload.update(member_claims(member))
        return {"access": str(access)}

    @property
    def user_id_claim(self):
        return simplejwt_settings.api_settings.USER_ID_CLAIM

    def active_user(self, refresh):
        try:
            user = get_user_model().objects.filter(pk=refresh.get(self.user_id_claim), is_active=True).first()
        except (ValueError, TypeError, DjangoValidationError):  # no user_id, or not one of ours
            user = None
        if user is None:
            raise AuthenticationFailed(self.error_messages["no_active_account"], code="no_active_account")
        return user


class MemberTokenObtainView(TokenObtainPairView):
    """POST /tokens: ``{"username", "password"}`` of a tenant member → ``{"access", "refresh"}``."""

    serializer_class = MemberTokenObtainSerializer
    www_authenticate_realm = "metadata"


class MemberTokenRefreshView(TokenRefreshView):
    """POST /tokens/refresh: ``{"refresh"}`` → ``{"access"}`` with the member's current claims."""

    serializer_class = MemberTokenRefreshSerializer
    www_authenticate_realm = "metadata"
