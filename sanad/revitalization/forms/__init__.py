"""Revitalization forms, one module per part."""
