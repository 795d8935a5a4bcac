"""Admin for managers: the same rules as the API, through the same service checks."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from agency.admin import HistoryReadOnlyMixin
from seats.models import (
    Agent,
    AgentDailyLoad,
    HandoverNote,
    LoadAlert,
    Seat,
    SeatAssignment,
    SubAccount,
    WorkloadRecord,
)
from seats.services import (
    agent_daily_load_refresh,
    assignment_validate,
    handover_note_validate,
    sub_account_validate,
    workload_time_error,
)
from seats.services.workloads import COLUMNS as WORKLOAD_COLUMNS


@admin.register(Agent)
class AgentAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "employee_no", "status", "hired_on", "base_salary"]
    list_filter = ["status"]
    search_fields = ["name", "employee_no"]


@admin.register(Seat)
class SeatAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "overhead"]
    search_fields = ["code", "name"]


class SeatAssignmentForm(forms.ModelForm):
    """Checks the seat rules with ``assignment_validate``, exactly as the API does."""

    class Meta:
        model = SeatAssignment
        fields = ["seat", "agent", "shift", "start_date", "end_date"]

    def clean(self):
        cleaned = super().clean()
        required = ("seat", "agent", "shift", "start_date")
        if all(cleaned.get(field) for field in required):
            try:
                assignment_validate(
                    seat=cleaned["seat"],
                    agent=cleaned["agent"],
                    shift=cleaned["shift"],
                    start_date=cleaned["start_date"],
                    end_date=cleaned.get("end_date"),
                    exclude_id=self.instance.pk,
                )
            except ValidationError as exc:
                self.add_error(None, exc)  # each message on the field it names
        return cleaned


@admin.register(SeatAssignment)
class SeatAssignmentAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    form = SeatAssignmentForm
    list_display = ["seat", "shift", "agent", "start_date", "end_date"]
    list_filter = ["shift", "seat"]
    list_select_related = ["seat", "agent"]
    autocomplete_fields = ["seat", "agent"]
    search_fields = ["seat__code", "agent__name", "agent__employee_no"]
    date_hierarchy = "start_date"


class WorkloadRecordAdminForm(forms.ModelForm):
    """The admin obeys the upload's time rule: no workload for a shift that has not begun."""

    class Meta:
        model = WorkloadRecord
        fields = list(WORKLOAD_COLUMNS)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("shift"):
            error = workload_time_error(cleaned["date"], cleaned["shift"])
            if error is not None:
                self.add_error(*error)
        return cleaned


@admin.register(WorkloadRecord)
class WorkloadRecordAdmin(admin.ModelAdmin):
    form = WorkloadRecordAdminForm
    list_display = [
        "date",
        "shift",
        "agent",
        "shop",
        "inquiries",
        "conversions",
        "first_response_seconds",
        "sales_amount",
    ]
    list_filter = ["shift", "date"]
    list_select_related = ["agent", "shop"]
    autocomplete_fields = ["agent"]
    raw_id_fields = ["shop"]
    search_fields = ["agent__name", "agent__employee_no", "shop__name"]
    date_hierarchy = "date"

    # A rolled-up date is read from the roll-up, so an edit here reaches it (no alert is sent).
    def save_model(self, request, obj, form, change) -> None:
        days = {obj.date, *([form.initial["date"]] if change and "date" in form.initial else [])}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            agent_daily_load_refresh(days=days)

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            super().delete_model(request, obj)
            agent_daily_load_refresh(days=[obj.date])

    def delete_queryset(self, request, queryset) -> None:
        days = set(queryset.values_list("date", flat=True))
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            agent_daily_load_refresh(days=days)


@admin.register(AgentDailyLoad)
class AgentDailyLoadAdmin(admin.ModelAdmin):
    """Written by the nightly roll-up only."""

    list_display = ["date", "agent", "inquiries", "band", "alerted_at"]
    list_filter = ["band", "date"]
    list_select_related = ["agent"]
    search_fields = ["agent__name", "agent__employee_no"]
    date_hierarchy = "date"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HandoverNoteForm(forms.ModelForm):
    """Checks the handover rules with ``handover_note_validate``, exactly as the API does."""

    class Meta:
        model = HandoverNote
        fields = ["seat", "shop", "date", "from_agent", "to_agent", "open_cases", "promises"]

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(field) for field in ("seat", "shop", "date", "from_agent")):
            try:
                cleaned["to_agent"] = handover_note_validate(
                    seat=cleaned["seat"],
                    shop=cleaned["shop"],
                    date=cleaned["date"],
                    from_agent=cleaned["from_agent"],
                    to_agent=cleaned.get("to_agent"),
                    exclude_id=self.instance.pk,
                )
            except ValidationError as exc:
                self.add_error(None, exc)  # each message on the field it names
        return cleaned


@admin.register(HandoverNote)
class HandoverNoteAdmin(admin.ModelAdmin):
    form = HandoverNoteForm
    list_display = ["date", "seat", "shop", "from_agent", "to_agent", "acknowledged_at"]
    list_filter = ["date", "seat"]
    list_select_related = ["seat", "shop", "from_agent", "to_agent"]
    search_fields = ["seat__code", "shop__name", "open_cases", "promises"]
    date_hierarchy = "date"
    readonly_fields = [
        "written_by",
        "acknowledged_at",
        "acknowledged_by",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["seat", "from_agent", "to_agent"]
    raw_id_fields = ["shop"]

    def save_model(self, request, obj, form, change) -> None:
        # Whoever types the note in the admin wrote it, whichever agent it names.
        obj.written_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None) -> bool:
        # An acknowledged note is a record of what was handed over.
        if obj is not None and obj.acknowledged_at is not None:
            return False
        return super().has_change_permission(request, obj)


class SubAccountForm(forms.ModelForm):
    """Checks the sub-account rules with ``sub_account_validate``, exactly as the API does, and
    stores the name in the exports' ``shop:account`` form."""

    class Meta:
        model = SubAccount
        fields = ["shop", "agent", "name", "granted_on", "revoked_on"]

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(field) for field in ("shop", "agent", "name", "granted_on")):
            instance = self.instance
            try:
                cleaned["name"] = sub_account_validate(
                    shop=cleaned["shop"],
                    agent=cleaned["agent"],
                    name=cleaned["name"],
                    granted_on=cleaned["granted_on"],
                    revoked_on=cleaned.get("revoked_on"),
                    exclude_id=instance.pk,
                    agent_changed=instance.pk is None or instance.agent_id != cleaned["agent"].pk,
                )
            except ValidationError as exc:
                self.add_error(None, exc)  # each message on the field it names
        return cleaned


@admin.register(SubAccount)
class SubAccountAdmin(HistoryReadOnlyMixin, SimpleHistoryAdmin):
    form = SubAccountForm
    list_display = ["name", "shop", "agent", "granted_on", "revoked_on"]
    list_filter = [("revoked_on", admin.EmptyFieldListFilter), "granted_on"]
    list_select_related = ["shop", "agent"]
    search_fields = ["name", "shop__name", "agent__name", "agent__employee_no"]
    autocomplete_fields = ["agent"]
    raw_id_fields = ["shop"]
    date_hierarchy = "granted_on"


@admin.register(LoadAlert)
class LoadAlertAdmin(admin.ModelAdmin):
    """Written by the nightly roll-up only: one row per agent and period of overload."""

    list_display = [
        "agent",
        "opened_on",
        "last_day",
        "overloaded_days",
        "window_days",
        "announced_days",
        "announced_at",
        "closed_on",
    ]
    list_filter = ["closed_on"]
    list_select_related = ["agent"]
    search_fields = ["agent__name", "agent__employee_no"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
