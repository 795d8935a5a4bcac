"""Quality reviews (质检): the manager's pages.

The list (appeals awaiting a decision first), a new review scored on the sheet, one review with
its marks, the agent's appeal and the decision form, and the sheet's editor. Reads go through
``payroll.selectors``, writes through ``payroll.services``, whose refusals show on the form.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from agency import clock
from agency.errors import ApplicationError
from agency.formatting import date_text
from agency.months import MonthFormField
from payroll import selectors as payroll_selectors
from payroll import services as payroll_services
from payroll.choices import ReviewStatus
from seats.selectors import agent_list
from shops.selectors import shop_list
from web.forms import DateInput, add_service_error
from web.mixins import ManagerRequiredMixin
from web.views.base import ManagerPage, paginate

SORTS = [
    ("", gettext_lazy("Appeals awaiting a decision first")),
    ("-date", gettext_lazy("Newest conversation first")),
    ("date", gettext_lazy("Oldest conversation first")),
    ("-score", gettext_lazy("Highest score first")),
    ("score", gettext_lazy("Lowest score first")),
]


def _error_text(error: Exception) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


# --- Forms --------------------------------------------------------------------------------------


class ReviewFilterForm(forms.Form):
    agent = forms.TypedChoiceField(label=gettext_lazy("Agent"), required=False, coerce=int)
    shop = forms.TypedChoiceField(label=gettext_lazy("Shop"), required=False, coerce=int)
    month = MonthFormField(label=gettext_lazy("Month"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *ReviewStatus.choices],
    )
    sort = forms.ChoiceField(label=gettext_lazy("Sort"), required=False, choices=SORTS)

    def __init__(self, *args, agents, shops, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", _("All agents")), *agents]
        self.fields["shop"].choices = [("", _("All shops")), *shops]


class MarksForm(forms.Form):
    """One field per item of the sheet in use: points 0..weight for a weighted item (``item_<id>``),
    a checkbox for a fatal item (``breach_<id>``). Shapes only; the service checks the rules."""

    def __init__(self, *args, items, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            if item.fatal:
                self.fields[f"breach_{item.pk}"] = forms.BooleanField(
                    label=item.label, required=False
                )
            else:
                self.fields[f"item_{item.pk}"] = forms.IntegerField(
                    label=item.label,
                    min_value=0,
                    max_value=item.weight,
                    widget=forms.NumberInput(attrs={"class": "input-points"}),
                )

    def rows(self) -> list[tuple[Any, Any]]:
        """(item, its bound field), in the sheet's order."""
        return [
            (item, self[f"breach_{item.pk}" if item.fatal else f"item_{item.pk}"])
            for item in self.items
        ]

    def marks(self) -> dict[int, int]:
        return {
            item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items if not item.fatal
        }

    def breached(self) -> set[int]:
        return {
            item.pk for item in self.items if item.fatal and self.cleaned_data[f"breach_{item.pk}"]
        }

    def add_service_error(self, error: Exception) -> None:
        """The service names ``marks`` and ``breached``: show those above the sheet."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = ValidationError(
                {
                    (None if field in ("marks", "breached") else field): messages_
                    for field, messages_ in error.message_dict.items()
                }
            )
        add_service_error(self, error)


class ReviewForm(MarksForm):
    agent = forms.TypedChoiceField(label=gettext_lazy("Agent"), coerce=int)
    chat_date = forms.DateField(label=gettext_lazy("Date of the conversation"), widget=DateInput())
    shop = forms.TypedChoiceField(label=gettext_lazy("Shop"), coerce=int)
    chat_reference = forms.CharField(
        label=gettext_lazy("Conversation reference"),
        max_length=200,
        help_text=gettext_lazy(
            "The chat's id or link in the platform's workbench (千牛, 拼多多商家后台)."
        ),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the agent did well and what to improve; the agent reads it."),
    )
    HEAD = ("agent", "chat_date", "shop", "chat_reference")

    def __init__(self, *args, agents, shops, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", "—"), *agents]
        self.fields["shop"].choices = [("", "—"), *shops]

    def head_fields(self):
        return [self[name] for name in self.HEAD]


class DecisionForm(MarksForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (ReviewStatus.UPHELD, pgettext_lazy("appeal decision", "Uphold: the review stands")),
            (
                ReviewStatus.RESCORED,
                pgettext_lazy("appeal decision", "Rescore: replace the points below"),
            ),
            (
                ReviewStatus.WITHDRAWN,
                pgettext_lazy("appeal decision", "Withdraw: the review no longer counts"),
            ),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the agent"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The points matter only for a rescore; upheld and withdrawn ignore them.
        for item in self.items:
            if not item.fatal:
                self.fields[f"item_{item.pk}"].required = False


class QaItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    weight = forms.IntegerField(label=gettext_lazy("Points"), min_value=0, max_value=100)
    active = forms.BooleanField(label=gettext_lazy("In use"), required=False)
    position = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, max_value=32767)


class QaItemCreateForm(QaItemForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    fatal = forms.BooleanField(
        label=gettext_lazy("Fatal item (a breach zeroes the review; 0 points)"), required=False
    )


# --- Pages --------------------------------------------------------------------------------------


def _agent_choices() -> list[tuple[int, str]]:
    return [(agent.pk, agent.name) for agent in agent_list()]


def _shop_choices(user) -> list[tuple[int, str]]:
    return list(shop_list(user=user).order_by("name").values_list("pk", "name"))


class ReviewListView(ManagerPage):
    """Every review, filtered and sorted, appeals awaiting a decision first by default."""

    template_name = "manager/quality/list.html"
    nav = "quality"

    def get_context_data(self, **kwargs):
        form = ReviewFilterForm(
            self.request.GET or None,
            agents=_agent_choices(),
            shops=_shop_choices(self.request.user),
        )
        reviews = payroll_selectors.review_list(user=self.request.user)
        sort = ""
        if form.is_valid():
            data = form.cleaned_data
            reviews = payroll_selectors.review_filter(
                reviews,
                agent_id=data["agent"] or None,
                shop_id=data["shop"] or None,
                month=data["month"],
                status=data["status"],
            )
            sort = data["sort"]
        page = paginate(self.request, payroll_selectors.review_order(reviews, sort))
        return super().get_context_data(
            form=form,
            page_obj=page,
            reviews=page.object_list,
            awaiting=payroll_selectors.appeals_awaiting_count(),
            filtered=bool(self.request.GET.keys() - {"page"}),
            **kwargs,
        )


class ReviewCreateView(ManagerPage):
    """Score one sampled conversation on the sheet in use."""

    template_name = "manager/quality/form.html"
    nav = "quality"

    def _form(self, data=None, initial=None) -> ReviewForm:
        return ReviewForm(
            data,
            initial=initial,
            items=payroll_selectors.qa_item_list(active_only=True),
            agents=_agent_choices(),
            shops=_shop_choices(self.request.user),
        )

    def _served(self, form: ReviewForm) -> tuple[str, list[tuple[int, str]]] | None:
        """The chosen agent's shops on the chosen date, to help pick the shop."""
        source = form.data if form.is_bound else form.initial
        try:
            agent_id = int(source.get("agent") or 0)
            day = forms.DateField().clean(source.get("chat_date"))
        except (ValueError, TypeError, ValidationError):
            return None
        names = dict(_agent_choices())
        if agent_id not in names:
            return None
        return (
            _("Shops of %(agent)s on %(date)s:")
            % {"agent": names[agent_id], "date": date_text(day)},
            payroll_selectors.agent_shops_on(agent_id=agent_id, day=day),
        )

    def _page(self, form: ReviewForm, status: int = 200):
        return self.render_to_response(
            self.get_context_data(form=form, served=self._served(form)), status=status
        )

    def get(self, request, *args, **kwargs):
        initial = {"chat_date": clock.today()}
        for name in ("agent", "shop", "chat_date"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        for item in payroll_selectors.qa_item_list(active_only=True):
            if not item.fatal:
                initial[f"item_{item.pk}"] = item.weight
        return self._page(self._form(initial=initial))

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = payroll_services.review_create(
                    agent=agent_list().get(pk=data["agent"]),
                    shop=shop_list(user=request.user).get(pk=data["shop"]),
                    chat_date=data["chat_date"],
                    chat_reference=data["chat_reference"],
                    comment=data["comment"],
                    marks=form.marks(),
                    breached=form.breached(),
                    actor=request.user,
                )
            except (ValidationError, ApplicationError) as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Review of %(agent)s saved: %(score)s points; the agent is told.")
                    % {"agent": review.agent.name, "score": review.score},
                )
                return redirect("web:quality-detail", pk=review.pk)
        return self._page(form, status=400)


class ReviewDetailView(ManagerPage):
    """One review: its marks, the agent's appeal, and the decision form while it waits."""

    template_name = "manager/quality/detail.html"
    nav = "quality"

    def _review(self, pk: int):
        review = payroll_selectors.review_detail(user=self.request.user, pk=pk)
        if review is None:
            raise Http404
        return review

    def _form(self, review, data=None) -> DecisionForm:
        marks = {mark.item_id: mark for mark in review.marks.all()}
        initial = {}
        for item in payroll_selectors.qa_item_list(active_only=True):
            mark = marks.get(item.pk)
            if item.fatal:
                initial[f"breach_{item.pk}"] = bool(mark and mark.breached)
            else:
                initial[f"item_{item.pk}"] = mark.points if mark else item.weight
        return DecisionForm(
            data, initial=initial, items=payroll_selectors.qa_item_list(active_only=True)
        )

    def _page(self, review, form=None, status: int = 200):
        if form is None and review.status == ReviewStatus.APPEALED:
            form = self._form(review)
        review.appeal_open_now = review.appeal_open(clock.now())
        return self.render_to_response(
            self.get_context_data(review=review, form=form, now=clock.now()), status=status
        )

    def get(self, request, pk: int, *args, **kwargs):
        return self._page(self._review(pk))

    def post(self, request, pk: int, *args, **kwargs):
        review = self._review(pk)
        form = self._form(review, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            rescore = data["decision"] == ReviewStatus.RESCORED
            if rescore and any(data[f"item_{i.pk}"] is None for i in form.items if not i.fatal):
                form.add_error(None, _("A rescore needs the points of every item."))
            else:
                try:
                    payroll_services.review_decide(
                        review=review,
                        decision=data["decision"],
                        note=data["note"],
                        marks=form.marks() if rescore else None,
                        breached=form.breached() if rescore else None,
                        actor=request.user,
                    )
                except (ValidationError, ApplicationError) as error:
                    form.add_service_error(error)
                else:
                    messages.success(
                        request,
                        _("Appeal of %(agent)s decided; the agent is told.")
                        % {"agent": review.agent.name},
                    )
                    return redirect("web:quality-detail", pk=review.pk)
        return self._page(self._review(pk), form, status=400)


class QaItemsView(ManagerPage):
    """The review sheet: change points, retire or reorder items, add the agency's own."""

    template_name = "manager/quality/items.html"
    nav = "quality"

    def _page(self, create_form: QaItemCreateForm, status: int = 200):
        items = list(payroll_selectors.qa_item_list())
        rows = [
            (
                item,
                QaItemForm(
                    initial={
                        "name": item.name,
                        "weight": item.weight,
                        "active": item.active,
                        "position": item.position,
                    },
                    prefix=f"item{item.pk}",
                ),
            )
            for item in items
        ]
        return self.render_to_response(
            self.get_context_data(
                rows=rows,
                create_form=create_form,
                warning=payroll_services.qa_sheet_warning(items),
                total=sum(i.weight for i in items if i.active and not i.fatal),
            ),
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self._page(QaItemCreateForm(initial={"active": True, "position": 0, "weight": 0}))

    def post(self, request, *args, **kwargs):
        form = QaItemCreateForm(request.POST)
        if form.is_valid():
            try:
                item = payroll_services.qa_item_create(**form.cleaned_data, actor=request.user)
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Item “%(item)s” added.") % {"item": item.label})
                return redirect("web:quality-items")
        return self._page(form, status=400)


class QaItemUpdateView(ManagerRequiredMixin, View):
    """Save one row of the sheet's editor."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        item = get_object_or_404(payroll_selectors.qa_item_list(), pk=pk)
        form = QaItemForm(request.POST, prefix=f"item{item.pk}")
        if not form.is_valid():
            messages.error(
                request,
                _("“%(item)s” was not saved: %(errors)s")
                % {
                    "item": item.label,
                    "errors": " ".join(e for errors in form.errors.values() for e in errors),
                },
            )
            return redirect("web:quality-items")
        data = dict(form.cleaned_data)
        if item.code is not None:
            data.pop("name")  # built-in items are named by the app
        try:
            payroll_services.qa_item_update(item=item, data=data, actor=request.user)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Item “%(item)s” saved.") % {"item": item.label})
        return redirect(reverse("web:quality-items") + f"#item-{item.pk}")
