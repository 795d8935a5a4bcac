"""The rows of the seats board, written in Python rather than in the template language.

A page of the board has 20 seats, 40 shifts and about 40 assignments, each row some thirty
template variables and tags; the template language spends about a third of a millisecond on
such a row, which made the page's time follow the number of its rows. These tags write the same
markup as plain strings (every value escaped with ``conditional_escape``, the translations
those of the template: the msgids are the same) in a small part of that time.

``coverage_row``: a seat and its two shifts (``manager/_coverage_board.html``);
``assignment_row``: an assignment with the form that ends it (``manager/seats/board.html``).
"""

from functools import lru_cache

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from agency.formatting import count_text, date_text, percent_text
from web.templatetags.web_tags import band_badge

register = template.Library()
esc = conditional_escape


def _translated(message: str, **values) -> str:
    """A translation with placeholders, as ``{% blocktranslate %}`` writes it: the values
    escaped, the translated text as the translator wrote it."""
    return message % {key: esc(value) for key, value in values.items()}


@lru_cache(maxsize=1024)
def _date(language: str | None, value) -> str:
    return date_text(value)


def _shift_cell(cell, urls: dict) -> str:
    if cell.agent:
        cover = (
            f' <span class="badge badge-info">{esc(gettext("Cover"))}</span>'
            if cell.kind == "cover"
            else ""
        )
        inquiries = _translated(
            ngettext("%(counter)s inquiry", "%(counter)s inquiries", cell.inquiries),
            counter=cell.inquiries,
        )
        who = (
            f'<a href="{esc(urls["agent"])}{cell.agent.pk}/">{esc(cell.agent.name)}</a>{cover}\n'
            f'          {band_badge(cell.band)} <span class="muted">{inquiries}</span>'
        )
    elif cell.uncovered:
        who = f'<span class="badge badge-alert">{esc(gettext("Uncovered"))}</span>'
    else:
        who = f'<span class="muted">{esc(gettext("No agent"))}</span>'
    regular = ""
    if cell.regular:
        message = (
            gettext("%(name)s on leave") if cell.on_leave else gettext("covering for %(name)s")
        )
        regular = f'<br><span class="muted">{_translated(message, name=cell.regular.name)}</span>'
    shops = ""
    if cell.shops:
        prefix = esc(urls["shop"])
        chips = "".join(
            f'<li><a href="{prefix}{shop.pk}/">{esc(shop.name)}</a></li>' for shop in cell.shops
        )
        shops = f'\n        <ul class="shop-chips">{chips}</ul>'
    uncovered = " uncovered" if cell.uncovered else ""
    return (
        f'      <td class="shift-cell{uncovered}">\n          {who}\n        {regular}{shops}\n'
        "      </td>\n"
    )


@register.simple_tag
def coverage_row(row, urls: dict, seat_edit: bool = False) -> SafeString:
    """A seat's row of the coverage board: the seat (with a link to its form when
    ``seat_edit``), its day and night shifts, and its expected load against the peak."""
    seat = row.seat
    head = esc(seat.code)
    if seat.name:
        head += f'<br><span class="muted">{esc(seat.name)}</span>'
    if seat_edit:
        head += (
            f'<br><a href="{esc(urls["seat"])}{seat.pk}/edit/">{esc(gettext("Edit"))}'
            f'<span class="visually-hidden"> {esc(seat.code)}</span></a>'
        )
    load = ""
    if row.load:
        over = (
            f'\n        <span class="badge badge-alert">{esc(gettext("Over peak"))}</span>'
            if row.over_peak
            else ""
        )
        figures = row.load
        load = (
            f"\n        {count_text(figures.load)} / {count_text(figures.peak)}\n"
            f'        <meter min="0" max="{figures.peak}" high="{figures.peak}" optimum="0" '
            f'value="{figures.load}" aria-label="{esc(gettext("Expected load against the peak"))}">'
            f"{esc(percent_text(figures.utilisation))}</meter>{over}\n        "
        )
    alert = ' class="row-alert"' if row.over_peak else ""
    return mark_safe(
        f'<tr{alert}>\n      <th scope="row">{head}</th>\n'
        f"{_shift_cell(row.day, urls)}{_shift_cell(row.night, urls)}"
        f'      <td class="num">{load}</td>\n    </tr>'
    )


@register.simple_tag
def assignment_row(assignment, urls: dict, today, next_url: str, csrf_token) -> SafeString:
    """An assignment of the board's day with the form that ends it (the question asked before
    ending it in ``data-confirm``)."""
    agent = assignment.agent
    shift = assignment.get_shift_display()
    seat = assignment.seat.code
    question = _translated(
        gettext(
            "End the assignment of %(agent)s to seat %(seat)s (%(shift)s) with {end_date} as "
            "the last day? The seat-shift is free after that day."
        ),
        agent=agent.name,
        shift=shift,
        seat=seat,
    )
    language = get_language()
    end = _date(language, assignment.end_date) if assignment.end_date else gettext("open")
    last_day = _translated(gettext("Last day of %(agent)s"), agent=agent.name)
    pk = assignment.pk
    return mark_safe(
        f"<tr>\n        <td>{esc(seat)}</td>\n        <td>{esc(shift)}</td>\n"
        f'        <td><a href="{esc(urls["agent"])}{agent.pk}/">{esc(agent.name)}</a></td>\n'
        f"        <td>{esc(_date(language, assignment.start_date))}</td>\n"
        f"        <td>{esc(end)}</td>\n"
        "        <td>\n"
        f'          <form method="post" action="{esc(urls["assignment"])}{pk}/end/" '
        f'class="row-actions" data-confirm="{question}">\n'
        f'            <input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf_token)}">\n'
        f'            <input type="hidden" name="next" value="{esc(next_url)}">\n'
        f'            <label for="end-{pk}" class="visually-hidden">{last_day}</label>\n'
        f'            <input type="date" id="end-{pk}" name="end_date" value="{today:%Y-%m-%d}" '
        "required>\n"
        '            <button type="submit" class="button button-small button-danger">'
        f"{esc(gettext('End…'))}</button>\n"
        "          </form>\n        </td>\n      </tr>"
    )
