"""The export opens in the tools researchers use (issue 14): frictionless finds the data
package valid, and pandas loads every table it lists, with the types its descriptor gives.
Generic over the tables: whatever datapackage.json lists is checked."""

from __future__ import annotations

import csv
import json
import zipfile
from io import BytesIO
from pathlib import Path

import frictionless
import pandas as pd
import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # the whole export built, each test

URL = "/api/v1/export/"
# The descriptor's field types and the pandas types they read as; an empty cell is missing.
PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": str}
DATE_TYPES = {"date", "datetime"}


@pytest.fixture
def package(client, tmp_path) -> Path:
    """The export, extracted: the path of its datapackage.json."""
    response = client.get(URL)
    assert response.status_code == 200, response.content[:500]
    with zipfile.ZipFile(BytesIO(b"".join(response.streaming_content))) as archive:
        archive.extractall(tmp_path)
    return tmp_path / "datapackage.json"


def tables(package: Path) -> list[dict]:
    """The package's CSV resources."""
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    return [resource for resource in descriptor["resources"] if resource.get("format") == "csv"]


def test_frictionless_finds_the_export_valid(package):
    report = frictionless.validate(str(package))
    errors = [
        (task.name, *error)
        for task in report.tasks
        for error in task.flatten(["rowNumber", "fieldName", "note"])
    ]
    errors += [(None, None, None, error.note) for error in report.errors]
    assert report.valid, errors[:20]
    assert errors == []
    # Every table was checked, not only the package's shape.
    assert {task.name for task in report.tasks} >= {table["name"] for table in tables(package)}


def test_the_package_lists_every_csv_in_the_zip(package):
    listed = {table["path"] for table in tables(package)}
    assert listed == {path.name for path in package.parent.glob("*.csv")}
    assert len(listed) > 1


def test_pandas_loads_every_table_with_the_descriptors_types(package):
    csv.field_size_limit(1 << 24)
    for table in tables(package):
        path = package.parent / table["path"]
        fields = table["schema"]["fields"]
        names = [field["name"] for field in fields]
        with path.open(encoding="utf-8", newline="") as handle:
            records = sum(1 for _ in csv.reader(handle)) - 1  # a cell may hold a line break
        assert records >= 0, table["name"]

        # As a researcher first opens it, types guessed: the keys are integers.
        guessed = pd.read_csv(path, encoding="utf-8")
        assert list(guessed.columns) == names, table["name"]
        assert len(guessed) == records, table["name"]
        for field in fields:
            required = field.get("constraints", {}).get("required")
            if field["type"] == "integer" and required and records:
                assert pd.api.types.is_integer_dtype(guessed[field["name"]]), (
                    table["name"],
                    field["name"],
                    guessed[field["name"]].dtype,
                )

        # With the descriptor's types, every cell converts (a value that does not is an error).
        typed = pd.read_csv(
            path,
            encoding="utf-8",
            dtype={
                field["name"]: PANDAS_TYPES[field["type"]]
                for field in fields
                if field["type"] in PANDAS_TYPES
            },
            keep_default_na=False,
            na_values=[""],
        )
        assert len(typed) == records, table["name"]
        for field in fields:
            column = typed[field["name"]]
            if field["type"] in DATE_TYPES:
                pd.to_datetime(column.dropna(), format="ISO8601")
            if field.get("constraints", {}).get("required"):
                assert not column.isna().any(), (table["name"], field["name"])
        key = table["schema"].get("primaryKey")
        if key:
            columns = [key] if isinstance(key, str) else key
            assert not typed.duplicated(subset=columns).any(), table["name"]
