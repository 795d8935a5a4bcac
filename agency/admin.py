from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from agency.models import User

admin.site.register(User, UserAdmin)
admin.site.site_header = "Agency administration"
