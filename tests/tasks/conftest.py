import pytest
from builders import AT, tiny_observations, tiny_setup

from indicators.db import store
from indicators.setup import workbook


@pytest.fixture
def tiny_db_path(tmp_path):
    """The tiny city as a database file (no tasks)."""
    path = tmp_path / "tiny.duckdb"
    con = store.connect(path, create=True)
    workbook.load_setup(con, tiny_setup(), at=AT)
    store.write_batch(con, tiny_observations(), file_name="tiny.xlsx", uploaded_by="test", at=AT)
    con.close()
    return path
