from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], key: str, label: str) -> str:
    """A column header that sorts the list by `key`, toggling the direction."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"] = f"-{key}"
        arrow, state = "▲", "ascending"
    elif current == f"-{key}":
        params["sort"] = key
        arrow, state = "▼", "descending"
    else:
        params["sort"] = key
        arrow, state = "", "none"
    return format_html(
        '<a class="sort-link" href="?{}" aria-sort="{}" title="{}">{} {}</a>',
        params.urlencode(),
        state,
        _("Sort"),
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], page: int) -> str:
    request = context["request"]
    params = request.GET.copy()
    params["page"] = page
    return "?" + params.urlencode()


@register.simple_tag
def query_string(**kwargs: Any) -> str:
    return urlencode({k: v for k, v in kwargs.items() if v not in (None, "")})


@register.filter
def choice_label(value: Any, choices: Any) -> Any:
    """The translated label of `value` in `choices` (a Choices class's `.choices`),
    e.g. `{{ t.to_state|choice_label:status_choices }}`; the value itself if unknown."""
    return dict(choices).get(value, value) if value else value
