"""Revitalization reads, one module per part."""
