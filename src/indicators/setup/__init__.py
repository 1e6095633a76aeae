"""Setup data: the setup workbook (units, departments, leaders, indicators,
responsibilities, targets) and target revisions."""
