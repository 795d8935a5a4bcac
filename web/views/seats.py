"""Seats: the coverage board, seat forms, assigning agents to shifts, putting contracts on seats.

Every write goes through a service (``seats.services.seat_create`` / ``seat_update``,
``assignment_create`` / ``assignment_update``, ``shops.services.contract_update``) whose refusals
show on the form. The capacity figures shown before saving come from ``seats.selectors``
(expected load against the 600 peak) and advise; the shop limit shown is the contract service's
own rule, so the page warns exactly when saving will be refused.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from agency import clock
from agency.errors import ApplicationError
from agency.formatting import date_text
from agency.limits import seat_takes_another_shop
from seats import services as seat_services
from seats.calculations import ShiftSplit, room_left
from seats.selectors import (
    SeatLoad,
    assignment_list,
    seat_capacity,
    seat_utilisation,
    seats_by_code,
    shop_shift_inquiries,
)
from shops import services as shop_services
from shops.selectors import SeatBusiestDay, covered_shifts, seat_busiest_day
from web import selectors
from web.forms import (
    AssignmentEndForm,
    AssignmentForm,
    ContractSeatForm,
    DateInput,
    SeatForm,
    add_service_error,
)
from web.mixins import ManagerRequiredMixin
from web.views.base import ManagerPage, ServiceFormPage, paginate, redirect_back, url_prefixes

if TYPE_CHECKING:
    from seats.models import Seat
    from shops.models import Contract


class BoardDayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DateInput())


class CapacityForm(forms.Form):
    inquiries = forms.IntegerField(
        label=gettext_lazy("Daily inquiries of the new shop"), min_value=0, max_value=100_000
    )


BOARD_PAGE_SIZE = 20
"""Seats a page of the coverage board shows (with their assignments)."""

BOARD_STATE_LABELS = [
    ("uncovered", gettext_lazy("Uncovered shifts")),
    ("cover", gettext_lazy("Worked by a cover")),
    ("on_leave", gettext_lazy("Own agent on leave")),
    ("over_peak", gettext_lazy("Over the peak")),
]


class SeatBoardView(ManagerPage):
    """The coverage board of a date, a page of seats at a time (all seats, or those in a
    state: ``?state=uncovered``, ``cover``, ``on_leave``, ``over_peak``), each page's
    assignments, and which seats can take a new shop."""

    template_name = "manager/seats/board.html"
    nav = "seats"

    def get_context_data(self, **kwargs):
        day_form = BoardDayForm(self.request.GET or None)
        today = clock.today()
        day = today
        if day_form.is_valid() and day_form.cleaned_data["day"]:
            day = day_form.cleaned_data["day"]
        capacity_form = CapacityForm(self.request.GET if "inquiries" in self.request.GET else None)
        options = None
        if capacity_form.is_valid():
            options = seat_capacity(inquiries=capacity_form.cleaned_data["inquiries"], day=today)
        state = self.request.GET.get("state", "")
        if state in selectors.BOARD_STATES:
            # A state is known once the seat's row is made: every row's states (without the
            # people), then the page of seats in the state, in full.
            in_state = [
                row.seat
                for row in selectors.coverage_board(day=day, people=False)
                if selectors.row_in_state(row, state)
            ]
            page = paginate(self.request, in_state, per_page=BOARD_PAGE_SIZE)
            rows = selectors.coverage_board(day=day, seats=list(page.object_list))
        else:
            state = ""
            page = paginate(self.request, seats_by_code(), per_page=BOARD_PAGE_SIZE)
            rows = selectors.coverage_board(day=day, seats=list(page.object_list))
        assignments = list(
            assignment_list()
            .active_on(day)
            .filter(seat_id__in=[row.seat.pk for row in rows])
            .select_related("seat", "agent")
            .order_by("seat__code", "shift")
        )
        return super().get_context_data(
            day=day,
            today=today,
            day_form=day_form,
            rows=rows,
            page_obj=page,
            state=state,
            states=[("", _("All seats")), *BOARD_STATE_LABELS],
            urls=url_prefixes(
                agent="web:agent-detail",
                shop="web:shop-detail",
                seat="web:seat-edit",
                assignment="web:assignment-end",
            ),
            assignments=assignments,
            end_form=AssignmentEndForm(initial={"end_date": today}),
            capacity_form=capacity_form,
            capacity_options=options,
            **kwargs,
        )


SEAT_FORM_FIELDS = ("code", "name", "overhead")


class SeatFormView(ServiceFormPage):
    """Create or edit a seat (``seats.services.seat_create`` / ``seat_update``)."""

    nav = "seats"
    form_class = SeatForm
    fields = SEAT_FORM_FIELDS
    object_name = "seat"

    def form_kwargs(self):
        return {"new": self.object is None}

    def load(self, pk: int):
        return get_object_or_404(seats_by_code(), pk=pk)

    def create(self, data):
        return seat_services.seat_create(**data, actor=self.request.user)

    def update(self, changed):
        return seat_services.seat_update(seat=self.object, data=changed, actor=self.request.user)

    def saved(self, obj) -> str:
        return _("Seat %(seat)s saved.") % {"seat": obj.code}

    def done_url(self, obj) -> str:
        return reverse("web:seat-board")

    def texts(self) -> tuple[str, str]:
        if self.object is None:
            return _("New seat"), reverse("web:seat-board")
        return _("Edit %(name)s") % {"name": self.object.code}, reverse("web:seat-board")


class AssignmentCreateView(ManagerPage):
    """Assign an agent to one shift of a seat from a date (``seats.services.assignment_create``)."""

    template_name = "manager/seats/assign.html"
    nav = "seats"

    def get(self, request, *args, **kwargs):
        initial = {"start_date": clock.today()}
        for name in ("seat", "shift", "agent"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        return self.render_to_response(self.get_context_data(form=AssignmentForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        form = AssignmentForm(request.POST)
        if form.is_valid():
            try:
                assignment = seat_services.assignment_create(
                    **form.cleaned_data, actor=request.user
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(agent)s now covers seat %(seat)s (%(shift)s) from %(start)s.")
                    % {
                        "agent": assignment.agent.name,
                        "seat": assignment.seat.code,
                        "shift": assignment.get_shift_display(),
                        "start": date_text(assignment.start_date),
                    },
                )
                return redirect("web:seat-board")
        return self.render_to_response(self.get_context_data(form=form))


class AssignmentEndView(ManagerRequiredMixin, View):
    """End an assignment on a date (``seats.services.assignment_update`` with its end date)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        assignment = get_object_or_404(assignment_list().select_related("seat", "agent"), pk=pk)
        form = AssignmentEndForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the last day of the assignment as a date."))
            return redirect_back(request, "web:seat-board")
        try:
            seat_services.assignment_update(
                assignment=assignment,
                data={"end_date": form.cleaned_data["end_date"]},
                actor=request.user,
            )
        except (ValidationError, ApplicationError) as error:
            text = (
                error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
            )
            messages.error(request, text)
        else:
            messages.success(
                request,
                _("%(agent)s leaves seat %(seat)s after %(end)s.")
                % {
                    "agent": assignment.agent.name,
                    "seat": assignment.seat.code,
                    "end": date_text(assignment.end_date),
                },
            )
        return redirect_back(request, "web:seat-board")


@dataclass(frozen=True)
class CapacityPreview:
    """What placing a contract's shop on a seat would do to the seat's expected daily load, and
    whether the contract service will take it."""

    seat: "Seat"
    contract: "Contract"
    day: date
    load: SeatLoad
    shop_inquiries: int
    already_served: bool
    fits: bool
    projected: ShiftSplit
    shops_full: bool
    busiest: SeatBusiestDay

    @property
    def projected_load(self) -> int:
        return self.projected.total

    @property
    def headroom(self) -> int:
        """The tightest room left: either agent's under the cap, or the seat's under its peak."""
        return room_left(self.projected, cap=self.load.agent_cap, peak=self.load.peak)


def capacity_preview(*, contract: "Contract", seat: "Seat", today: date) -> CapacityPreview:
    """The seat's expected load with the contract's shop added, on the day the change applies.

    The shop limit is judged as ``shops.services.contract_update`` will judge it: on the seat's
    busiest day over the contract's whole range, counting the other shops only
    (``shops.selectors.seat_busiest_day``), by ``agency.limits.seat_takes_another_shop``. The
    load is advice for the first day: the seat's load plus the shop's expected inquiries within
    each agent's cap (120) and the seat's 600 peak (``SeatLoad.fits``), the shop's inquiries split
    between the shifts its contract covers, as the capacity finder counts it.
    """
    day = max(contract.start_date, today)
    load = seat_utilisation(seats=[seat], day=day)[seat.pk]
    shop_split = shop_shift_inquiries(
        shops={contract.shop_id: contract.shop.daily_inquiries_estimate},
        day=day,
        shifts_of={contract.shop_id: covered_shifts(contract)},
    )[contract.shop_id]
    busiest = seat_busiest_day(
        seat_id=seat.pk,
        start=contract.start_date,
        end=contract.end_date,
        exclude_shop_id=contract.shop_id,
        exclude_contract_id=contract.pk,
    )
    # A shop already on the seat (another of its contracts) adds no load.
    already_served = contract.shop_id in load.shop_ids
    added = ShiftSplit() if already_served else shop_split
    shops_full = not seat_takes_another_shop(busiest.shop_count)
    return CapacityPreview(
        seat=seat,
        contract=contract,
        day=day,
        load=load,
        shop_inquiries=shop_split.total,
        already_served=already_served,
        fits=not shops_full and load.fits(added),
        projected=load.with_shop(added),
        shops_full=shops_full,
        busiest=busiest,
    )


class ContractSeatView(ManagerPage):
    """Put a contract on a seat (or take it off) with ``shops.services.contract_update``."""

    template_name = "manager/seats/contract.html"
    nav = "seats"

    def _preview(self, form: ContractSeatForm) -> CapacityPreview | None:
        if not form.is_valid() or form.cleaned_data["seat"] is None:
            return None
        return capacity_preview(
            contract=form.cleaned_data["contract"],
            seat=form.cleaned_data["seat"],
            today=clock.today(),
        )

    def get(self, request, *args, **kwargs):
        form = ContractSeatForm(request.GET if "contract" in request.GET else None)
        preview = self._preview(form) if form.is_bound else None
        return self.render_to_response(self.get_context_data(form=form, preview=preview))

    def post(self, request, *args, **kwargs):
        form = ContractSeatForm(request.POST)
        preview = self._preview(form)
        if form.is_valid():
            contract = form.cleaned_data["contract"]
            seat = form.cleaned_data["seat"]
            try:
                shop_services.contract_update(
                    contract=contract, actor=request.user, data={"seat": seat}
                )
            except (ValidationError, ApplicationError) as error:
                add_service_error(form, error)
            else:
                if seat is None:
                    text = _("The contract of %(shop)s has no seat now.") % {
                        "shop": contract.shop.name
                    }
                else:
                    text = _("Seat %(seat)s now serves %(shop)s.") % {
                        "seat": seat.code,
                        "shop": contract.shop.name,
                    }
                messages.success(request, text)
                return redirect("web:seat-board")
        return self.render_to_response(self.get_context_data(form=form, preview=preview))
