"""Revitalization pages: governance (included by urls.py in the namespace "revitalization")."""

from __future__ import annotations

from django.urls import path  # noqa: F401

urlpatterns: list = []
