from sanad.core.listing import ScopedListView
from sanad.programmes.models import Project


class ProjectListView(ScopedListView):
    model = Project
    template_name = "programmes/project_list.html"
