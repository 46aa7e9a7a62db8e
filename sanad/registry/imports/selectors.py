"""Reads for imports: which batches and mappings a user sees."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sanad.core.errors import NotFound
from sanad.core.scoping import has_permission, scoped
from sanad.geo.selectors import governorates_within
from sanad.registry.models import ColumnMapping, ImportBatch

IMPORT = "registry.import_households"


def import_batches_visible_to(user: Any) -> QuerySet[ImportBatch]:
    """Batches are owner-scoped: a user sees the batches they uploaded. Someone whose
    import permission reaches every governorate (an administrator, a national IM
    officer) sees everyone's, because a batch's errors quote the file's values, which
    may be about families outside a scoped colleague's area."""
    qs = scoped(ImportBatch.objects.select_related("created_by", "mapping", "job"), user, IMPORT)
    if governorates_within(user, IMPORT) is not None:
        qs = qs.filter(created_by=user)
    return qs


def import_batch_get(*, user: Any, public_id: Any) -> ImportBatch:
    batch = import_batches_visible_to(user).filter(public_id=public_id).first()
    if batch is None:
        raise NotFound()
    return batch


def column_mappings(user: Any) -> QuerySet[ColumnMapping]:
    if not has_permission(user, IMPORT):
        return ColumnMapping.objects.none()
    return ColumnMapping.objects.all().order_by("name")


def column_mapping_get(*, user: Any, public_id: Any) -> ColumnMapping:
    mapping = column_mappings(user).filter(public_id=public_id).first()
    if mapping is None:
        raise NotFound()
    return mapping
