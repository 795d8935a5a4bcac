from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from agency.models import User, Webhook, WebhookDelivery


class HistoryReadOnlyMixin:
    """History pages are an audit trail: every past version can be read, none restored.

    For admins built on ``simple_history.admin.SimpleHistoryAdmin`` (put the mixin first). The
    library's version page saves the old version on POST whatever the settings say
    (``SIMPLE_HISTORY_REVERT_DISABLED`` only hides its button) and skips the services: it
    would put a paid invoice back to an unnumbered draft, a void one back to issued, a confirmed
    turnover behind an issued invoice back to another figure. Here the version page shows the
    version read-only and refuses every write (403), for superusers too.
    """

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        return True

    def has_change_history_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def history_form_view(
        self, request: HttpRequest, object_id, version_id, extra_context=None
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def render_history_view(self, request: HttpRequest, template, context, **kwargs):
        adminform = context.get("adminform")
        if adminform is not None:  # the version page: every field shown as text, no input
            adminform.readonly_fields = flatten_fieldsets(adminform.fieldsets)
        return super().render_history_view(request, template, context, **kwargs)


@admin.register(User)
class AgencyUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Emails"), {"fields": ("language",)}),
    )
    list_display = (*UserAdmin.list_display, "language")


admin.site.site_header = "Agency administration"


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "active", "failure_count", "disabled_at", "created_at"]
    list_filter = ["active"]
    exclude = ["secret"]
    raw_id_fields = ["owner"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "webhook", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event"]
    raw_id_fields = ["webhook"]
    readonly_fields = ["payload", "error"]
