"""Reading Excel/CSV returns: tolerant parsers, the raw reader, table location, layouts,
matching against the catalogue and located validation.

The pipeline that strings these steps together is :mod:`indicators.returns.pipeline`.
"""
