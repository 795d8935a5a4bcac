"""Admin for managers: the review sheet edited through the same services as the API; quality
reviews are read-only here (scoring, appeals and decisions follow rules the pages and the API
apply)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from agency.admin import HistoryReadOnlyMixin
from payroll.models import QaItem, QualityReview, ReviewMark
from payroll.services import qa_item_create, qa_item_update
from payroll.services.reviews import ITEM_FIELDS


@admin.register(QaItem)
class QaItemAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["label", "code", "weight", "fatal", "active", "position"]
    list_filter = ["fatal", "active"]
    fields = ["code", "name", "weight", "fatal", "active", "position"]

    def get_readonly_fields(self, request, obj=None):
        # A built-in keeps its code; an item stays weighted or fatal as created.
        return ["code", "fatal"] if obj is not None else ["code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # past reviews' marks point at it: retire it (in use: off) instead

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        try:
            if change:
                data = {field: form.cleaned_data[field] for field in ITEM_FIELDS}
                stored = QaItem.objects.get(pk=obj.pk)
                qa_item_update(item=stored, data=data, actor=request.user)
            else:
                saved = qa_item_create(
                    name=form.cleaned_data["name"],
                    weight=form.cleaned_data["weight"],
                    fatal=form.cleaned_data["fatal"],
                    active=form.cleaned_data["active"],
                    position=form.cleaned_data["position"],
                    actor=request.user,
                )
                obj.pk = saved.pk
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), level="error")
            transaction.set_rollback(True)


class ReviewMarkInline(admin.TabularInline):
    model = ReviewMark
    fields = ["item", "points", "breached"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QualityReview)
class QualityReviewAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["chat_date", "agent", "shop", "score", "fatal", "status", "reviewer"]
    list_filter = ["status", "fatal"]
    search_fields = ["agent__name", "shop__name", "chat_reference"]
    date_hierarchy = "chat_date"
    list_select_related = ["agent", "shop", "reviewer"]
    inlines = [ReviewMarkInline]
    readonly_fields = [field.name for field in QualityReview._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
