"""Admin of the payroll app: the pay book's versions with their history (who changed what when).

Saving goes through ``payroll.services.pay_book_save``, so the admin applies the same rules as
the manager app and the API; a version of an approved month (or of a month before the latest
approved one) is read-only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from agency.admin import HistoryReadOnlyMixin
from agency.errors import ApplicationError
from payroll.models import PayBook
from payroll.services.pay_book import (
    PAY_BOOK_FIELDS,
    first_open_month,
    pay_book_month_check,
    pay_book_save,
    pay_book_validate,
)


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
