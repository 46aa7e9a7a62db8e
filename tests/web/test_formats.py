import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("lang", ["en", "ar", "ckb"])
def test_amounts_are_grouped_by_thousands_in_every_language(lang):
    with translation.override(lang):
        text = Template('{% load humanize %}{{ v|floatformat:"0g" }} {{ n|intcomma }}').render(
            Context({"v": 3900000000, "n": 11800000})
        )
    assert text == "3,900,000,000 11,800,000"
