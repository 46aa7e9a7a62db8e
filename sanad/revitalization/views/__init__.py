"""Revitalization pages, one module per part."""
