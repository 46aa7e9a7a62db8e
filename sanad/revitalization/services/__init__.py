"""Revitalization writes, one module per part (communities, infrastructure, grants,
training, governance). Import the functions from their module."""
