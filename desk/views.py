"""The agent's desk (docs/desk.md): one page for the shift, one for the month's own figures, and
the two handover actions, each a plain form post.

Agents only. Anonymous visitors go to the login page; a manager is sent to the dashboard (the
desk shows one agent's day, and the manager's handover list is there); a shop owner gets 403.
An agent who never chose a language reads the desk in Chinese (``NEW_ACCOUNT_LANGUAGE``), not in
the browser's language: the desk is for the agency's own staff.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from agency import clock
from agency.access import agent_id_of, is_manager
from agency.errors import ApplicationError
from agency.formatting import date_text
from agency.months import parse_month
from desk import selectors
from desk.forms import AppealForm, HandoverForm, LeaveRequestForm, add_service_error
from payroll.documents import kpi_rows, payslip_lines
from payroll.scorecard_reads import agent_scorecard
from payroll.selectors import payslip_list, review_detail, review_list
from payroll.services import review_appeal
from seats.roster import leave_list
from seats.selectors import handover_note_list, seats_by_code
from seats.services import (
    handover_note_acknowledge,
    handover_note_create,
    handover_note_update,
    leave_cancel,
    leave_request,
)
from seats.services.leave import leave_cancel_check

MONTHS_BACK = 12
REVIEWS_PER_PAGE = 20


def speak_desk_language(request: HttpRequest) -> None:
    """Chinese unless this browser or this account chose a language (the switch still works)."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or request.user.language:
        return
    translation.activate(settings.NEW_ACCOUNT_LANGUAGE)
    request.LANGUAGE_CODE = translation.get_language()


class AgentRequiredMixin(LoginRequiredMixin):
    """The desk's access rule (module docstring); sets ``self.agent_id``."""

    agent_id: int

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if is_manager(request.user):
            return redirect("web:dashboard")
        agent_id = agent_id_of(request.user)
        if agent_id is None:
            raise PermissionDenied(_("The desk is for the agency's agents."))
        self.agent_id = agent_id
        speak_desk_language(request)
        return super().dispatch(request, *args, **kwargs)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return error.message


class DeskView(AgentRequiredMixin, TemplateView):
    template_name = "desk/home.html"
    extra_context = {"page": "home"}

    def get_context_data(self, **kwargs):
        desk = selectors.agent_desk(agent_id=self.agent_id, now=clock.now())
        for entry in desk.shops:
            initial = {}
            if entry.note is not None:
                initial = {"open_cases": entry.note.open_cases, "promises": entry.note.promises}
            entry.form = HandoverForm(initial=initial, prefix=f"shop{entry.shop.pk}")
        return super().get_context_data(desk=desk, **kwargs)


class HandoverWriteView(AgentRequiredMixin, View):
    """Write (or edit, until acknowledged) today's note of one shop on the agent's seat."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, seat: int, shop: int) -> HttpResponse:
        desk = selectors.agent_desk(agent_id=self.agent_id, now=clock.now())
        entry = next(
            (item for item in desk.shops if item.seat_id == seat and item.shop.pk == shop), None
        )
        if entry is None:
            raise Http404
        back = reverse("desk:home") + f"#shop-{entry.shop.pk}"
        form = HandoverForm(request.POST, prefix=f"shop{entry.shop.pk}")
        if not form.is_valid():
            messages.error(request, _("The note could not be saved."))
            return redirect(back)
        try:
            if entry.note is None:
                handover_note_create(
                    actor=request.user,
                    seat=seats_by_code().get(pk=seat),
                    shop=entry.shop,
                    date=desk.today,
                    **form.cleaned_data,
                )
            else:
                handover_note_update(actor=request.user, note=entry.note, **form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Handover note for %(shop)s saved; the night shift will see it.")
                % {"shop": entry.shop.name},
            )
        return redirect(back)


class HandoverAcknowledgeView(AgentRequiredMixin, View):
    """The night agent has read the note (recorded as them)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        note = get_object_or_404(
            handover_note_list(user=request.user).select_related("shop"), pk=pk
        )
        try:
            handover_note_acknowledge(note=note, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("You acknowledged the handover note for %(shop)s.") % {"shop": note.shop.name},
            )
        return redirect(reverse("desk:home") + f"#shop-{note.shop_id}")


class KpiView(AgentRequiredMixin, TemplateView):
    """The agent's own figures for a month (this month by default, past months by ``?month=``)."""

    template_name = "desk/kpis.html"
    extra_context = {"page": "kpis"}

    def get_context_data(self, **kwargs):
        today = clock.today()
        current = clock.current_month(today)
        try:
            month = parse_month(self.request.GET.get("month", ""))
        except ValueError:
            month = current
        month = min(month, current)
        months = [current]
        while len(months) < MONTHS_BACK:
            months.append(clock.previous_month(months[-1]))
        kpis = selectors.agent_month_kpis(agent_id=self.agent_id, month=month, today=today)
        return super().get_context_data(kpis=kpis, month=month, months=months, **kwargs)


class ScorecardView(AgentRequiredMixin, TemplateView):
    """The agent's own scorecard of a month (绩效考核), with its arithmetic: this month so far by
    default, past months by ``?month=``."""

    template_name = "desk/scorecard.html"
    extra_context = {"page": "scorecard"}

    def get_context_data(self, **kwargs):
        current = clock.current_month()
        try:
            month = parse_month(self.request.GET.get("month", ""))
        except ValueError:
            month = current
        month = min(month, current)
        months = [current]
        while len(months) < MONTHS_BACK:
            months.append(clock.previous_month(months[-1]))
        scored = agent_scorecard(agent_id=self.agent_id, month=month)
        return super().get_context_data(scored=scored, month=month, months=months, **kwargs)


def leave_cancellable(leave, user) -> bool:
    """Whether the service would let ``user`` cancel ``leave`` now (``leave_cancel_check``): the
    desk offers the button only then."""
    try:
        leave_cancel_check(leave=leave, actor=user)
    except ApplicationError:
        return False
    return True


class LeaveView(AgentRequiredMixin, TemplateView):
    """The agent's own leave requests (newest first) and a form to ask for leave."""

    template_name = "desk/leave.html"
    extra_context = {"page": "leave"}

    def _page(self, form: LeaveRequestForm, status: int = 200) -> HttpResponse:
        leave = list(leave_list(user=self.request.user))
        for item in leave:
            item.cancellable = leave_cancellable(item, self.request.user)
        return self.render_to_response(self.get_context_data(form=form, leave=leave), status=status)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        today = clock.today()
        return self._page(LeaveRequestForm(initial={"start_date": today, "end_date": today}))

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = LeaveRequestForm(request.POST)
        if form.is_valid():
            try:
                decision = leave_request(
                    agent=request.user.agent_profile, actor=request.user, **form.cleaned_data
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Leave requested from %(start)s to %(end)s; your manager decides.")
                    % {
                        "start": date_text(decision.leave.start_date),
                        "end": date_text(decision.leave.end_date),
                    },
                )
                return redirect("desk:leave")
        return self._page(form, status=400)


class LeaveCancelView(AgentRequiredMixin, View):
    """Withdraw one of the agent's own leave requests: GET asks to confirm, POST cancels.
    Another agent's leave answers 404."""

    def _leave(self, pk: int):
        return get_object_or_404(leave_list(user=self.request.user), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        leave = self._leave(pk)
        if not leave_cancellable(leave, request.user):
            messages.error(request, _("This leave can no longer be cancelled."))
            return redirect("desk:leave")
        return TemplateResponse(
            request, "desk/leave_cancel.html", {"leave": leave, "page": "leave"}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        leave = self._leave(pk)
        try:
            leave_cancel(leave=leave, actor=request.user)
        except (ValidationError, ApplicationError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Your leave from %(start)s to %(end)s is cancelled.")
                % {"start": date_text(leave.start_date), "end": date_text(leave.end_date)},
            )
        return redirect("desk:leave")


# --- Quality reviews ----------------------------------------------------------------------------


class ReviewListView(AgentRequiredMixin, TemplateView):
    """The agent's own quality reviews, newest conversation first, with each appeal deadline."""

    template_name = "desk/reviews.html"
    extra_context = {"page": "reviews"}

    def get_context_data(self, **kwargs):
        page = Paginator(review_list(user=self.request.user), REVIEWS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        now = clock.now()
        for review in page:
            review.appeal_open_now = review.appeal_open(now)
        return super().get_context_data(page_obj=page, reviews=page.object_list, **kwargs)


class ReviewDetailView(AgentRequiredMixin, TemplateView):
    """One of the agent's reviews with its marks; the appeal form while the window is open.
    Another agent's review answers 404."""

    template_name = "desk/review.html"
    extra_context = {"page": "reviews"}

    def _review(self, pk: int):
        review = review_detail(user=self.request.user, pk=pk)
        if review is None:
            raise Http404
        review.appeal_open_now = review.appeal_open(clock.now())
        return review

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self._review(pk)
        return self.render_to_response(self.get_context_data(review=review, form=AppealForm()))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self._review(pk)
        form = AppealForm(request.POST)
        if form.is_valid():
            try:
                review_appeal(review=review, actor=request.user, **form.cleaned_data)
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Your appeal is sent; a manager decides."))
                return redirect("desk:review", pk=review.pk)
        return self.render_to_response(self.get_context_data(review=review, form=form), status=400)


class PayslipListView(AgentRequiredMixin, TemplateView):
    """The agent's own payslips, newest month first: approved ones as final, drafts marked
    "draft, may change" (the figures follow the month until a manager approves it)."""

    template_name = "desk/payslips.html"
    extra_context = {"page": "payslips"}

    def get_context_data(self, **kwargs):
        payslips = payslip_list(user=self.request.user).order_by("-month")
        page = Paginator(payslips, 12).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, payslips=page.object_list, **kwargs)


class PayslipView(AgentRequiredMixin, TemplateView):
    """One of the agent's payslips with each line's arithmetic and the PDF; another agent's
    payslip is 404."""

    template_name = "desk/payslip.html"
    extra_context = {"page": "payslips"}

    def get_context_data(self, **kwargs):
        payslip = get_object_or_404(payslip_list(user=self.request.user), pk=self.kwargs["pk"])
        return super().get_context_data(
            payslip=payslip,
            lines=payslip_lines(payslip),
            kpis=kpi_rows(payslip),
            details=payslip.details or {},
            **kwargs,
        )
