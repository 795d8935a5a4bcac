"""Shops: list, detail (contracts, briefing, workload, DSR, turnover, invoices, history), forms."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from agency import clock
from agency.access import is_manager
from agency.accounts import user_create
from agency.charts import Point, dsr_trend_chart, line_chart
from agency.errors import ApplicationError
from agency.formatting import count_text, date_text, month_text, short_day_text
from billing.selectors import invoice_list, shop_credit_balance
from billing.services import payment_terms_days, turnover_confirm
from seats.selectors import daily_inquiries, sub_accounts_of, sub_accounts_to_revoke
from shops import services
from shops.selectors import (
    contract_list,
    shop_dsr,
    shop_dsr_trend,
    shop_history,
    shop_list,
    shops_with_active_contracts,
    turnover_report_list,
)
from web.forms import (
    ContractForm,
    ShopCreateForm,
    ShopFilterForm,
    ShopForm,
    TurnoverEntryForm,
    add_service_error,
)
from web.views.base import ManagerPage, ServiceFormPage, paginate, prefixed_errors
from web.views.sub_accounts import note_sub_accounts_to_revoke

HISTORY_ROWS = 20


def shop_changes(shop) -> list[tuple[object, list[str]]]:
    """The shop's latest audit entries, each with the names of the fields it changed.

    One query (``shops.selectors.shop_history``): each entry is compared with the one before
    it, fetched in the same list.
    """
    entries = shop_history(shop=shop, limit=HISTORY_ROWS + 1)
    names = {field.name: field.verbose_name for field in shop._meta.fields}
    rows = []
    for index, entry in enumerate(entries[:HISTORY_ROWS]):
        previous = entries[index + 1] if index + 1 < len(entries) else None
        changed = []
        if previous is not None and entry.history_type == "~":
            delta = entry.diff_against(previous, excluded_fields=["created_at", "updated_at"])
            changed = [str(names.get(name, name)) for name in delta.changed_fields]
        rows.append((entry, changed))
    return rows


class ShopListView(ManagerPage):
    template_name = "manager/shops/list.html"
    nav = "shops"

    def get_context_data(self, **kwargs):
        form = ShopFilterForm(self.request.GET or None)
        shops = shop_list(user=self.request.user)
        if form.is_valid():
            query = form.cleaned_data["q"].strip()
            if query:
                shops = shops.filter(
                    Q(name__icontains=query)
                    | Q(platform_shop_id__icontains=query)
                    | Q(category__icontains=query)
                    | Q(owner__username__icontains=query)
                )
            if form.cleaned_data["platform"]:
                shops = shops.filter(platform=form.cleaned_data["platform"])
            if form.cleaned_data["status"]:
                shops = shops.filter(status=form.cleaned_data["status"])
        page = paginate(self.request, shops.order_by("name", "id"))
        today = clock.today()
        covered = shops_with_active_contracts(
            shop_ids=[shop.pk for shop in page.object_list], day=today
        )
        return super().get_context_data(
            form=form, page_obj=page, shops=page.object_list, covered=covered, **kwargs
        )


class ShopDetailView(ManagerPage):
    template_name = "manager/shops/detail.html"
    nav = "shops"

    def get_context_data(self, **kwargs):
        user = self.request.user
        shop = get_object_or_404(shop_list(user=user), pk=self.kwargs["pk"])
        today = clock.today()
        start = today - timedelta(days=29)
        inquiries = daily_inquiries(date_from=start, date_to=today, shop_id=shop.pk)
        chart = line_chart(
            [Point(short_day_text(day), total, count_text(total)) for day, total in inquiries],
            chart_id="shop-inquiries",
            title=_("Inquiries of %(shop)s over the last 30 days") % {"shop": shop.name},
            description=_("Inquiries per day from %(start)s to %(end)s.")
            % {"start": date_text(start), "end": date_text(today)},
        )
        contracts = list(contract_list(user=user).filter(shop=shop).select_related("seat"))
        return super().get_context_data(
            shop=shop,
            today=today,
            contracts=contracts,
            active_contract_ids={c.pk for c in contracts if c.is_active_on(today)},
            inquiries=inquiries,
            workloads_from_param=f"{start:%Y-%m-%d}",
            workloads_to_param=f"{today:%Y-%m-%d}",
            inquiries_total=sum(total for _, total in inquiries),
            inquiries_chart=chart,
            dsr=shop_dsr(shop=shop, as_of=today),
            dsr_chart=dsr_trend_chart(shop_dsr_trend(shop=shop, as_of=today, weeks=26)),
            turnover_reports=list(
                turnover_report_list(user=user).filter(shop=shop).order_by("-month")[:12]
            ),
            invoices=list(invoice_list(user=user).filter(shop=shop).order_by("-month", "-id")[:12]),
            credit_balance=shop_credit_balance(shop_id=shop.pk),
            history=shop_changes(shop),
            payment_terms=payment_terms_days(shop),
            sub_accounts=list(sub_accounts_of(shop_id=shop.pk)),
            sub_accounts_due=set(
                sub_accounts_to_revoke(today=today, shop_ids=[shop.pk]).values_list("pk", flat=True)
            ),
            turnover_form=kwargs.pop("turnover_form", None)
            or TurnoverEntryForm(initial={"month": f"{clock.previous_month(today):%Y-%m}"}),
            **kwargs,
        )


class ShopTurnoverView(ShopDetailView):
    """A manager enters a month's turnover for the shop, and may confirm it at once.

    Both happen in one transaction (``turnover_submit``, then ``turnover_confirm``, which
    recomputes the month's draft): a refusal leaves nothing behind and shows on the form.
    """

    def post(self, request, pk: int):
        shop = get_object_or_404(shop_list(user=request.user), pk=pk)
        form = TurnoverEntryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    report = services.turnover_submit(
                        actor=request.user, shop=shop, month=data["month"], amount=data["amount"]
                    )
                    if data["confirm"]:
                        turnover_confirm(report_id=report.pk, actor=request.user)
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                done = (
                    _("Turnover of %(shop)s for %(month)s entered and confirmed.")
                    if data["confirm"]
                    else _("Turnover of %(shop)s for %(month)s entered; confirm it to bill it.")
                )
                messages.success(
                    request, done % {"shop": shop.name, "month": month_text(report.month)}
                )
                return redirect(reverse("web:shop-detail", args=[pk]) + "#turnover-title")
        return self.render_to_response(self.get_context_data(turnover_form=form), status=400)

    def get(self, request, *args, **kwargs):
        return redirect("web:shop-detail", pk=kwargs["pk"])


class ShopFormView(ServiceFormPage):
    """Create or edit a shop (``shops.services.shop_create`` / ``shop_update``)."""

    nav = "shops"
    fields = services.SHOP_FIELDS
    object_name = "shop"

    @property
    def form_class(self):
        return ShopCreateForm if self.object is None else ShopForm

    def load(self, pk: int):
        return get_object_or_404(shop_list(user=self.request.user), pk=pk)

    @transaction.atomic
    def create(self, data):
        """The shop, for a chosen owner or for a new owner's account opened in the same
        transaction (the owner is invited by email once both are saved)."""
        values = {field: data[field] for field in services.SHOP_FIELDS}
        if data.get("new_owner_username"):
            with prefixed_errors("new_owner_", ("username", "email", "language")):
                values["owner"] = user_create(
                    username=data["new_owner_username"],
                    email=data["new_owner_email"],
                    language=data["new_owner_language"],
                    role="owner",
                    actor=self.request.user,
                )
        return services.shop_create(actor=self.request.user, **values)

    def update(self, changed):
        return services.shop_update(shop=self.object, actor=self.request.user, data=changed)

    def saved(self, obj) -> str:
        if self.object is None and self.request.POST.get("new_owner_username"):
            return _(
                "Shop “%(name)s” saved; the owner's account %(owner)s was opened and an "
                "invitation to choose a password sent."
            ) % {"name": obj.name, "owner": obj.owner.username}
        return _("Shop “%(name)s” saved.") % {"name": obj.name}

    def after_save(self, obj) -> None:
        # Ending the shop is when its sub-accounts must come back from the agents.
        note_sub_accounts_to_revoke(self.request, shop_id=obj.pk)

    def done_url(self, obj) -> str:
        return reverse("web:shop-detail", args=[obj.pk])

    def texts(self) -> tuple[str, str]:
        if self.object is None:
            return _("New shop"), reverse("web:shop-list")
        return (
            _("Edit %(name)s") % {"name": self.object.name},
            reverse("web:shop-detail", args=[self.object.pk]),
        )


class ContractCreateView(ManagerPage):
    """A new contract for a shop (``shops.services.contract_create``)."""

    template_name = "manager/shops/contract_form.html"
    nav = "shops"

    def dispatch(self, request, *args, **kwargs):
        if is_manager(request.user):
            self.shop = get_object_or_404(shop_list(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = ContractForm(initial={"start_date": clock.today()})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ContractForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.contract_create(
                    actor=request.user,
                    shop=self.shop,
                    plan=data["plan"],
                    shift=data["shift"] or None,
                    seat=data["seat"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    price=data["price"],
                    commission_mode=data["commission_mode"] or None,
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Contract saved."))
                note_sub_accounts_to_revoke(request, shop_id=self.shop.pk)
                return redirect("web:shop-detail", pk=self.shop.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return super().get_context_data(shop=self.shop, **kwargs)
