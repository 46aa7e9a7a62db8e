"""Reporting pages, one module per part."""
