"""Admin of the payroll app, for managers. Writes go through the same services as the pages and
the API: the review sheet (quality reviews themselves are read-only here: scoring, appeals and
decisions follow rules the pages and the API apply), and the pay book's versions with their
history (who changed what when; a version of an approved month, or of a month before the latest
approved one, is read-only).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from agency.admin import HistoryReadOnlyMixin
from agency.errors import ApplicationError
from payroll.models import PayBook, QaItem, QualityReview, ReviewMark
from payroll.services import qa_item_create, qa_item_update
from payroll.services.pay_book import (
    PAY_BOOK_FIELDS,
    first_open_month,
    pay_book_month_check,
    pay_book_save,
    pay_book_validate,
)
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


class PayBookAdminForm(forms.ModelForm):
    class Meta:
        model = PayBook
        fields = ["effective_from", *PAY_BOOK_FIELDS]

    def clean(self):
        cleaned = super().clean()
        month = cleaned.get("effective_from")
        if month is None or self.errors:
            return cleaned
        month = month.replace(day=1)
        cleaned["effective_from"] = month
        try:
            pay_book_month_check(month)
            pay_book_validate(
                PayBook(
                    effective_from=month, **{name: cleaned.get(name) for name in PAY_BOOK_FIELDS}
                )
            )
        except ApplicationError as error:
            self.add_error("effective_from", error.message)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned

    def validate_unique(self) -> None:
        # Saving a month that has a version changes that version (the service's rule).
        return

    def _post_clean(self) -> None:
        # The service validates the version as a whole (``pay_book_validate``).
        return


@admin.register(PayBook)
class PayBookAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    form = PayBookAdminForm
    list_display = ["effective_from", "weight_sales", "weight_quality", "gold_from", "changed_by"]
    list_select_related = ["changed_by"]
    readonly_fields = ["changed_by", "created_at", "updated_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        opens = first_open_month()
        if obj is not None and opens is not None and obj.effective_from < opens:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in PAY_BOOK_FIELDS}
        saved = pay_book_save(
            effective_from=form.cleaned_data["effective_from"], data=data, actor=request.user
        )
        # The admin logs and links ``obj``: make it the saved version.
        for field in PayBook._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
