"""How the API schema describes the agency's authentication classes (``agency.authentication``):
as the knox token and the session cookie they extend. Loaded by ``AgencyConfig.ready``."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class AgencyTokenScheme(KnoxTokenScheme):
    target_class = "agency.authentication.TokenAuthentication"


class AgencySessionScheme(SessionScheme):
    target_class = "agency.authentication.SessionAuthentication"
