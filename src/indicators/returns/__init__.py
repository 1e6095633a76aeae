"""Monthly returns: the import pipeline (read → locate → normalise → validate → store),
the Excel readers, the template and completeness."""
