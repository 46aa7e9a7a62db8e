"""Background job kinds (filled in)."""
