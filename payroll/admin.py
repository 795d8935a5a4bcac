"""Admin for managers: the review sheet edited through the same services as the API; quality
reviews are read-only here (scoring, appeals and decisions follow rules the pages and the API
apply)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from agency.admin import HistoryReadOnlyMixin
from payroll.models import QaItem, QualityReview, ReviewMark
from payroll.services import qa_item_create, qa_item_update
from payroll.services.reviews import ITEM_FIELDS, qa_item_validate


class QaItemForm(forms.ModelForm):
    """Checks the sheet's rules with ``qa_item_validate``, exactly as the pages and the API do."""

    class Meta:
        model = QaItem
        fields = ["name", "weight", "fatal", "active", "position"]

    def clean(self):
        cleaned = super().clean()
        stored = self.instance
        candidate = QaItem(
            code=stored.code,
            name=(cleaned.get("name") or "").strip(),
            weight=cleaned.get("weight") or 0,
            fatal=stored.fatal if stored.pk else bool(cleaned.get("fatal")),
            position=cleaned.get("position") or 0,
        )
        if stored.pk is None and not candidate.name:
            raise ValidationError({"name": gettext("Name the item.")})
        qa_item_validate(candidate)
        return cleaned


@admin.register(QaItem)
class QaItemAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    form = QaItemForm
    list_display = ["label", "code", "weight", "fatal", "active", "position"]
    list_filter = ["fatal", "active"]

    def get_fields(self, request, obj=None):
        return ["code", "name", "weight", "fatal", "active", "position"]

    def get_readonly_fields(self, request, obj=None):
        # A built-in keeps its code; an item stays weighted or fatal as created.
        return ["code", "fatal"] if obj is not None else ["code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # past reviews' marks point at it: retire it (in use: off) instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = [f for f in ITEM_FIELDS if f in data and (f != "name" or obj.code is None)]
            stored = QaItem.objects.get(pk=obj.pk)
            qa_item_update(item=stored, data={f: data[f] for f in fields}, actor=request.user)
        else:
            saved = qa_item_create(
                name=data["name"],
                weight=data["weight"],
                fatal=data["fatal"],
                active=data["active"],
                position=data["position"],
                actor=request.user,
            )
            obj.pk = saved.pk


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
