"""The owner's shops and, per shop, one page with everything the agency does for it."""

from django.core.paginator import Paginator
from django.utils import formats
from django.utils.translation import gettext as _

from agency import clock
from agency.access import is_manager
from agency.charts import Point, bar_chart, dsr_trend_chart, short_day
from agency.formatting import count_text, localise
from billing.receivables import overdue_invoices
from billing.selectors import shop_invoices
from billing.services import shop_credit_balance
from portal.selectors import shop_coverage, shop_service, shop_sub_accounts
from portal.views.base import PortalView
from shops.selectors import (
    briefing_changes,
    shop_contracts,
    shop_dsr,
    shop_dsr_trend,
    shop_list_with_active_contracts,
    shop_turnover_reports,
)

SHOPS_PER_PAGE = 50
DSR_TREND_WEEKS = 26  # a weekly point over the last 180 days


class HomeView(PortalView):
    """The shops of the signed-in owner; a manager sees every shop, to preview its portal."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        today = clock.today()
        shops = shop_list_with_active_contracts(user=self.request.user, day=today)
        manager = is_manager(self.request.user)
        page = Paginator(shops, SHOPS_PER_PAGE).get_page(self.request.GET.get("page"))
        # An owner is told of every overdue invoice of theirs; a manager's preview of every
        # shop is no place for the agency's whole dunning list.
        overdue = [] if manager else list(overdue_invoices(today=today, user=self.request.user))
        return super().get_context_data(
            page=page,
            shops=page.object_list,
            manager=manager,
            today=today,
            overdue=overdue,
            **kwargs,
        )


def inquiries_chart(service):
    daily = service.daily_inquiries
    points = [
        Point(label=short_day(day), value=total, text=localise(count_text(total)))
        for day, total in daily
    ]
    first, last = daily[0][0], daily[-1][0]
    return bar_chart(
        points,
        chart_id="inquiries-chart",
        title=_("Inquiries per day"),
        description=_(
            "Inquiries per day from %(first)s to %(last)s; the figures are in the table below."
        )
        % {
            "first": formats.date_format(first, "DATE_FORMAT"),
            "last": formats.date_format(last, "DATE_FORMAT"),
        },
    )


class ShopView(PortalView):
    """Coverage, service, quality, invoices, turnover and briefing of one shop."""

    template_name = "portal/shop.html"

    def get_context_data(self, **kwargs):
        shop = self.get_shop(self.kwargs["pk"])
        user = self.request.user
        today = clock.today()
        service = shop_service(shop=shop, today=today)
        dsr = shop_dsr(shop=shop, as_of=today)
        trend = shop_dsr_trend(shop=shop, as_of=today, weeks=DSR_TREND_WEEKS)
        invoices = list(shop_invoices(shop=shop, user=user))
        overdue = sorted(
            (invoice for invoice in invoices if invoice.is_overdue(today)),
            key=lambda invoice: (invoice.due_date, invoice.pk),
        )
        return super().get_context_data(
            shop=shop,
            preview=self.is_preview(shop),
            today=today,
            coverage=shop_coverage(shop=shop, day=today),
            contracts=list(shop_contracts(shop=shop)),
            service=service,
            # The workloads export covers the two months the service section compares.
            workloads_from_param=f"{service.last_month.month:%Y-%m-%d}",
            workloads_to_param=f"{today:%Y-%m-%d}",
            deltas=service.deltas,
            inquiries_chart=inquiries_chart(service),
            dsr=dsr,
            dsr_trend=trend,
            dsr_chart=dsr_trend_chart(trend),
            invoices=invoices,
            credit_balance=shop_credit_balance(shop_id=shop.pk),
            overdue=overdue,
            overdue_ids={invoice.pk for invoice in overdue},
            turnover_reports=list(shop_turnover_reports(shop=shop, user=user)[:6]),
            briefing_changes=briefing_changes(shop=shop, limit=3),
            sub_accounts=shop_sub_accounts(shop=shop),
            **kwargs,
        )
