from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from agency.models import User


@admin.register(User)
class AgencyUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Emails"), {"fields": ("language",)}),
    )
    list_display = (*UserAdmin.list_display, "language")


admin.site.site_header = "Agency administration"
