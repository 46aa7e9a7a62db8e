"""Web pages for imports: list, upload, batch review (summary, errors, report, commit or
reject), column mappings, and the downloads (template, XLSForm). The rules are in
services; the work runs as background jobs whose page shows the progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanad.core.errors import ApplicationError, NotFound
from sanad.core.listing import ScopedListView
from sanad.core.scoping import has_permission
from sanad.registry.imports import selectors, services
from sanad.registry.imports.forms import MappingForm, RejectForm, UploadForm
from sanad.registry.imports.parsing import FileUnreadable, open_book
from sanad.registry.imports.template_file import template_file
from sanad.registry.imports.xlsform import form_version, write_xlsform
from sanad.registry.models import ImportBatch

IMPORT = services.IMPORT


def _require(request: HttpRequest, permission: str = IMPORT) -> None:
    if not has_permission(request.user, permission):
        raise DjangoPermissionDenied


def _batch(request: HttpRequest, public_id: Any) -> ImportBatch:
    try:
        return selectors.import_batch_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc


def _form_errors(form: Any, exc: ApplicationError) -> None:
    for field, msgs in exc.fields.items():
        for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(field if field in form.fields else None, str(msg))
    if not exc.fields:
        form.add_error(None, str(exc.message))


class ImportListView(ScopedListView):
    model = ImportBatch
    permission = IMPORT
    template_name = "registry/imports/import_list.html"
    template_partial = "registry/imports/_import_table.html"
    search_fields = ("original_name",)
    sort_fields = {
        "created": "created_at",
        "file": "original_name",
        "status": "status",
        "households": "households_total",
        "errors": "error_count",
    }
    default_sort = "-created"

    def get_queryset(self) -> QuerySet[ImportBatch]:
        qs = selectors.import_batches_visible_to(self.request.user)
        self.search = self.request.GET.get("q", "").strip()
        self.filterset = None
        for term in self.search.split()[:5]:
            qs = qs.filter(original_name__icontains=term)
        sort = self.request.GET.get("sort", self.default_sort)
        key = sort.lstrip("-")
        field = self.sort_fields.get(key, "created_at")
        self.sort = sort if key in self.sort_fields else ""
        return qs.order_by(f"-{field}" if sort.startswith("-") else field, "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["search_placeholder"] = _("File name")
        return ctx


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require(request)
    mappings = selectors.column_mappings(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, mappings=mappings)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.import_batch_upload(
                    user=request.user,
                    file=upload,
                    original_name=upload.name,
                    file_format=form.cleaned_data["file_format"],
                    mapping=form.cleaned_data["mapping"],
                )
                services.import_batch_validate_start(batch=batch, user=request.user)
            except ApplicationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The file was uploaded; it is being checked."))
                return redirect("registry:import_detail", public_id=batch.public_id)
        status = 400
    return render(request, "registry/imports/import_upload.html", {"form": form}, status=status)


ERRORS_PER_PAGE = 50


@login_required
def import_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require(request)
    batch = _batch(request, public_id)
    if request.method == "POST":  # "validate again"
        try:
            services.import_batch_validate_start(batch=batch, user=request.user)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("registry:import_detail", public_id=batch.public_id)
    errors = services.batch_errors(batch)
    page = Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    ctx = {
        "batch": batch,
        "job": batch.job,
        "errors_page": page,
        "more_errors": max(batch.error_count - len(errors), 0),
        "can_commit": services.import_batch_can_commit(batch)
        and has_permission(request.user, services.MANAGE),
        "can_reject": batch.status == ImportBatch.Status.READY,
        "can_validate": batch.status in {ImportBatch.Status.READY, ImportBatch.Status.FAILED}
        and (batch.status != ImportBatch.Status.READY or batch.error_count > 0)
        and services.batch_file(batch).exists(),
        "has_report": services.report_path(batch) is not None,
        "reject_form": RejectForm(),
        "history": ImportBatch.STATUS_MACHINE.history(batch),
        "status_choices": ImportBatch.Status.choices,
    }
    template = (
        "registry/imports/_batch_summary.html"
        if request.headers.get("HX-Request")
        else "registry/imports/import_detail.html"
    )
    return render(request, template, ctx)


@login_required
@require_POST
def import_commit(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require(request)
    batch = _batch(request, public_id)
    try:
        services.import_batch_commit_start(batch=batch, user=request.user)
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise DjangoPermissionDenied from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The households are being written to the registry."))
    return redirect("registry:import_detail", public_id=batch.public_id)


@login_required
@require_POST
def import_reject(request: HttpRequest, public_id: Any) -> HttpResponse:
    _require(request)
    batch = _batch(request, public_id)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        services.import_batch_reject(
            batch=batch, user=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.info(request, _("The import was rejected; nothing was written to the registry."))
    return redirect("registry:import_detail", public_id=batch.public_id)


@login_required
def import_report(request: HttpRequest, public_id: Any) -> FileResponse:
    _require(request)
    batch = _batch(request, public_id)
    path = services.report_path(batch)
    if path is None:
        raise Http404
    name = f"{batch.original_name.rsplit('.', 1)[0]}-report.xlsx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


# --- downloads -------------------------------------------------------------------------


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    _require(request)
    kind = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    content, name, content_type = template_file(kind)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def xlsform_download(request: HttpRequest) -> HttpResponse:
    _require(request)
    response = HttpResponse(
        write_xlsform(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="sanad-registration-{form_version()}.xlsx"'
    )
    return response


# --- column mappings -------------------------------------------------------------------


@login_required
def mapping_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(
        request,
        "registry/imports/mapping_list.html",
        {"mappings": selectors.column_mappings(request.user).select_related("updated_by")},
    )


def _file_columns(request: HttpRequest) -> list[str]:
    """Column names of a batch's file, offered while filling a mapping (?batch=<id>)."""
    public_id = request.GET.get("batch")
    if not public_id:
        return []
    try:
        batch = selectors.import_batch_get(user=request.user, public_id=public_id)
    except (NotFound, ValueError, Exception):
        return []
    path = services.batch_file(batch)
    if not path.exists():
        return []
    try:
        book = open_book(path, name=batch.original_name)
    except FileUnreadable:
        return []
    try:
        columns: list[str] = []
        for sheet in book.sheet_names()[:5]:
            columns += [h for h in book.headers(sheet) if h and h not in columns]
        return columns
    finally:
        book.close()


@login_required
def mapping_edit(request: HttpRequest, public_id: Any = None) -> HttpResponse:
    _require(request)
    mapping = None
    if public_id is not None:
        try:
            mapping = selectors.column_mapping_get(user=request.user, public_id=public_id)
        except NotFound as exc:
            raise Http404 from exc
    columns = _file_columns(request)
    form = MappingForm(request.POST or None, mapping=mapping, columns=columns)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.column_mapping_save(
                    user=request.user,
                    mapping=mapping,
                    name=form.cleaned_data["name"],
                    file_format=form.cleaned_data["file_format"],
                    spec=form.spec(),
                )
            except ApplicationError as exc:
                _form_errors(form, exc)  # the spec's problems show above the form
            else:
                messages.success(request, _("The column mapping was saved."))
                return redirect("registry:mapping_list")
        status = 400
    return render(
        request,
        "registry/imports/mapping_form.html",
        {"form": form, "mapping": mapping, "columns": columns},
        status=status,
    )
