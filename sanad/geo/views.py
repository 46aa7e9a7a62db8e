from sanad.core.listing import ScopedListView
from sanad.geo.models import AdminUnit, Place


class PlaceListView(ScopedListView):
    model = Place
    template_name = "geo/place_list.html"


class AdminUnitListView(ScopedListView):
    model = AdminUnit
    template_name = "geo/adminunit_list.html"
