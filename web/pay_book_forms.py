"""Forms of the pay book and scorecard pages. Shapes only: ``payroll.services.pay_book_save``
applies the rules (weights total 100, grades ordered, locked months)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from agency.months import MonthFormField
from payroll.choices import Kpi

# Decimal places and help of each target (a share is written as a fraction: 0.5500 is 55 %).
_TARGET_FORMS = {
    Kpi.INQUIRIES: (1, None),
    Kpi.CONVERSION: (4, _("A share: 0.5500 is 55 %.")),
    Kpi.ANSWER_RATIO: (4, None),
    Kpi.FAST_RESPONSES: (4, _("A share: 0.9000 is 90 %.")),
    Kpi.SALES: (2, None),
    Kpi.ATTENDANCE: (4, _("A share: 1.0000 is every scheduled day.")),
    Kpi.QUALITY: (2, None),
}


def _decimal(label, places: int, help_text=None, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        decimal_places=places,
        max_digits=14,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": str(Decimal(1).scaleb(-places)), "min": "0"}),
        **kwargs,
    )


class PayBookForm(forms.Form):
    """A version of the pay book from a month on, its fields in groups (``groups``)."""

    effective_from = MonthFormField(
        label=_("effective from"),
        help_text=_("The first month this version applies to; it stays in force until the next."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kpi in Kpi.values:
            self.fields[f"weight_{kpi}"] = forms.IntegerField(
                # The group names it a weight (or a target): the KPI's own name says which.
                label=Kpi(kpi).label,
                min_value=0,
                max_value=100,
                widget=forms.NumberInput(attrs={"data-weight": "", "min": "0", "max": "100"}),
            )
        for kpi in Kpi.values:
            places, help_text = _TARGET_FORMS[kpi]
            self.fields[f"target_{kpi}"] = _decimal(Kpi(kpi).label, places, help_text, min_value=0)
        for grade in ("gold", "silver", "bronze"):
            self.fields[f"{grade}_from"] = _decimal(
                {
                    "gold": _("gold from score"),
                    "silver": _("silver from score"),
                    "bronze": _("bronze from score"),
                }[grade],
                2,
            )
        for grade in ("gold", "silver", "bronze"):
            self.fields[f"{grade}_bonus"] = _decimal(
                {"gold": _("gold bonus"), "silver": _("silver bonus"), "bronze": _("bronze bonus")}[
                    grade
                ],
                2,
                min_value=0,
            )
        self.fields["commission_rate"] = _decimal(
            _("default commission rate"),
            4,
            _("A share of attributed sales, e.g. 0.0020 for 0.2 %."),
            min_value=0,
            max_value=Decimal("0.2"),
        )
        self.fields["cover_allowance"] = _decimal(_("allowance per cover shift"), 2, min_value=0)
        self.fields["note"] = forms.CharField(label=_("note"), max_length=200, required=False)

    def groups(self) -> list[tuple[str, list]]:
        """(title, bound fields) in the order the page shows them."""
        return [
            (_("Weights (points out of 100)"), [self[f"weight_{kpi}"] for kpi in Kpi.values]),
            (_("Targets"), [self[f"target_{kpi}"] for kpi in Kpi.values]),
            (
                _("Grades and bonuses"),
                [
                    self[name]
                    for grade in ("gold", "silver", "bronze")
                    for name in (f"{grade}_from", f"{grade}_bonus")
                ],
            ),
            (
                _("Commission and cover allowance"),
                [self["commission_rate"], self["cover_allowance"], self["note"]],
            ),
        ]

    @property
    def weight_total(self) -> int | None:
        """The weights' total as entered (None until every weight is a number)."""
        values = [
            self.data.get(f"weight_{kpi}") if self.is_bound else self.initial.get(f"weight_{kpi}")
            for kpi in Kpi.values
        ]
        try:
            return sum(int(value) for value in values)
        except (TypeError, ValueError):
            return None


class ScorecardMonthForm(forms.Form):
    month = MonthFormField(label=_("Month"))
