"""What the reporting dashboards show, built from one `reach(user=…, filters=…)`: the
headline figures and their disaggregation (`tables`), the charts with their numbers as
tables and CSV rows (`charts`, `tables`), the map (`map`), the labels of groups and the
presentation of figures for someone outside the mission (`labels`), and who may see them
and the choices of the filters (`scope`).

A user outside the mission (a donor viewer) sees every count of people or households
suppressed below SANAD_REPORTING_MIN_CELL, in the cards, the charts, the map and the CSV
rows. `group_labels`, `may_see_figures` and `shown_figures` are shared with the figures
API (`api_figures`)."""

from sanad.reporting.selectors.dashboard.charts import (
    PEOPLE,
    Chart,
    Column,
    chart_config,
    dashboard_charts,
)
from sanad.reporting.selectors.dashboard.labels import (
    COUNTS,
    count_text,
    group_labels,
    item_names,
    month_label,
    plain,
    shown_figures,
    usd_text,
)
from sanad.reporting.selectors.dashboard.map import (
    MAP_FIGURES,
    map_chart,
    map_config,
    map_data,
    map_points,
)
from sanad.reporting.selectors.dashboard.scope import (
    PROGRAMME_CODES,
    filter_choices,
    governorates_in_reach,
    may_see_figures,
    programme_in_reach,
)
from sanad.reporting.selectors.dashboard.tables import (
    csv_cell,
    csv_rows,
    disaggregation,
    headline_cards,
)

__all__ = [
    "COUNTS",
    "MAP_FIGURES",
    "PEOPLE",
    "PROGRAMME_CODES",
    "Chart",
    "Column",
    "chart_config",
    "count_text",
    "csv_cell",
    "csv_rows",
    "dashboard_charts",
    "disaggregation",
    "filter_choices",
    "governorates_in_reach",
    "group_labels",
    "headline_cards",
    "item_names",
    "map_chart",
    "map_config",
    "map_data",
    "map_points",
    "may_see_figures",
    "month_label",
    "plain",
    "programme_in_reach",
    "shown_figures",
    "usd_text",
]
