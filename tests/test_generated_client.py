"""A researcher's generated client works: openapi-python-client builds a Python client from
the served schema, with no hand edit, and through it every list (JSON, page by page, and its
.csv operation, read with pandas) and every download (the export's zip, the SQLite file)
answers what the schema says (issue 14).

The operations come from the schema, so a new list or download is covered without a change
here. The site is a throwaway copy served by gunicorn (tests/site_server.py), as a client
would meet it."""

from __future__ import annotations

import importlib
import io
import json
import pkgutil
import re
import sqlite3
import subprocess
import sys
import urllib.request
import zipfile
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from .site_server import article_database, serve, site_environment

pytestmark = pytest.mark.slow  # a server, a migration and the generator, as subprocesses

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "kzpolitics_generated_client"
CORE_LISTS = {
    "organizations",
    "people",
    "elections",
    "results",
    "acts",
    "registrations",
    "events",
    "sources",
    "citations",
}
# The downloads' media types, and what the generator is told to read them as: it skips an
# operation whose only answer is a type it does not know.
BINARY = ("application/zip", "application/vnd.sqlite3")
CONFIG = {
    "package_name_override": PACKAGE,
    "project_name_override": PACKAGE,
    "content_type_overrides": dict.fromkeys(BINARY, "application/octet-stream"),
    "post_hooks": [],  # no formatter run on the generated code: it is used as generated
}
PAGE_SIZE = 500  # the most the API gives in a page


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A copy of the site with the article's data, its exports kept in its own folder."""
    work = tmp_path_factory.mktemp("site")
    with article_database(work) as database_url:
        env = {**site_environment(database_url), "EXPORT_CACHE_DIR": str(work / "export")}
        with serve(env, work) as served:
            yield served


@pytest.fixture(scope="module")
def schema_file(site, tmp_path_factory) -> Path:
    """The schema as the site serves it, which is what a researcher generates from."""
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    with urllib.request.urlopen(f"{site.url}/api/v1/schema/?format=json", timeout=60) as answer:
        path.write_bytes(answer.read())
    return path


@pytest.fixture(scope="module")
def schema(schema_file) -> dict:
    return json.loads(schema_file.read_text())


@pytest.fixture(scope="module")
def generated(schema_file, tmp_path_factory):
    """The generated package, imported; removed from ``sys.path`` and ``sys.modules`` after."""
    work = tmp_path_factory.mktemp("client")
    config = work / "config.json"
    config.write_text(json.dumps(CONFIG))
    out = work / PACKAGE
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema_file), "--output-path", str(out),
         "--config", str(config), "--meta", "none"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    # Any warning is a piece of the client left out (an operation or a model skipped).
    assert "warning" not in said.lower(), said
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work))
        for name in [name for name in sys.modules if name.partition(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def functions(generated) -> dict:
    """Every generated operation's module, by its module's name (``module_of``)."""
    api = importlib.import_module(f"{PACKAGE}.api")
    found = {}
    for info in pkgutil.walk_packages(api.__path__, f"{api.__name__}."):
        if not info.ispkg:
            module = importlib.import_module(info.name)
            found[info.name.rpartition(".")[2]] = module
    return found


@pytest.fixture(scope="module")
def client(generated, site):
    # A plain Client: reads are public (the schema gives them no security requirement, so
    # the generator types them as taking a plain Client).
    return generated.Client(base_url=site.url, raise_on_unexpected_status=True, timeout=120)


def get_operations(schema) -> dict[str, tuple[str, dict]]:
    return {
        operation["operationId"]: (path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "get"
    }


def json_lists(schema, record_pages: bool = False) -> dict[str, str]:
    """Each paginated list's operation id, by its path: a GET whose JSON answer is a page
    (``record_pages`` too: a page of what hangs on one record)."""
    lists = {}
    for operation_id, (path, operation) in get_operations(schema).items():
        answer = operation["responses"].get("200", {}).get("content", {})
        shape = answer.get("application/json", {}).get("schema", {})
        if shape.get("$ref", "").startswith("#/components/schemas/Paginated") and (
            record_pages or "{" not in path
        ):
            lists[path] = operation_id
    return lists


def csv_lists(schema) -> dict[str, str]:
    """Each .csv operation's id, by its list's path (``/api/v1/acts.csv`` -> ``.../acts/``)."""
    return {
        path.removesuffix(".csv") + "/": operation_id
        for operation_id, (path, _) in get_operations(schema).items()
        if path.endswith(".csv")
    }


def downloads(schema) -> dict[str, tuple[str, dict]]:
    """Each operation whose answer is a binary file (a zip, an SQLite file), with its type."""
    found = {}
    for operation_id, (_, operation) in get_operations(schema).items():
        answer = operation["responses"].get("200", {}).get("content", {})
        kinds = [kind for kind in answer if kind in BINARY]
        if kinds:
            found[operation_id] = (kinds[0], operation)
    return found


def module_of(operation_id: str) -> str:
    """The generated module's name for an operation: the id in snake case, anything but a
    letter or digit an underscore (``export_kzpolitics.sqlite3_retrieve`` ->
    ``export_kzpolitics_sqlite3_retrieve``)."""
    return re.sub(r"[^0-9a-z]+", "_", operation_id.lower()).strip("_")


def name_of(path: str) -> str:
    return path.rstrip("/").rpartition("/")[2]


def parsed(response, problem_class):
    """The parsed answer of a 200, or a failure naming what came instead."""
    assert response.status_code == 200, (response.status_code, response.content[:500])
    assert not isinstance(response.parsed, problem_class), response.parsed
    return response.parsed


def test_every_list_and_download_has_its_generated_function(schema, functions):
    lists, csvs = json_lists(schema), csv_lists(schema)
    assert {name_of(path) for path in lists} >= CORE_LISTS
    assert set(csvs) == set(lists)  # every list has its .csv operation, and only lists do
    kinds = {kind for kind, _ in downloads(schema).values()}
    assert kinds == set(BINARY)
    wanted = [*lists.values(), *csvs.values(), *downloads(schema)]
    assert [operation for operation in wanted if module_of(operation) not in functions] == []


def test_every_lists_json_and_csv_through_the_generated_client(schema, functions, client):
    from kzpolitics_generated_client.models import Problem
    from kzpolitics_generated_client.types import UNSET

    csvs = csv_lists(schema)
    for path, operation_id in json_lists(schema).items():
        ids, page, count = [], 1, None
        while True:
            answer = parsed(
                functions[module_of(operation_id)].sync_detailed(
                    client=client, page=page, page_size=PAGE_SIZE
                ),
                Problem,
            )
            count = answer.count if count is None else count
            assert answer.count == count, path  # the same total on every page
            ids += [record.id for record in answer.results]
            if answer.next_ in (None, UNSET):
                break
            page = int(parse_qs(urlsplit(answer.next_).query)["page"][0])
        assert len(ids) == count == len(set(ids)), path
        assert count > 0, path

        response = functions[module_of(csvs[path])].sync_detailed(client=client)
        text = parsed(response, Problem)
        assert isinstance(text, str), path  # the text itself, not JSON parsed from it
        assert response.headers["Content-Type"].startswith("text/csv"), path
        frame = pd.read_csv(io.StringIO(text))
        assert len(frame) == count == int(response.headers["X-Total-Count"]), path
        assert pd.api.types.is_integer_dtype(frame["id"]), path
        assert frame["id"].tolist() == ids, path  # every row, in the JSON list's order


def test_an_organizations_relations_page_through_the_generated_client(schema, functions, client):
    """The pages of what hangs on one record (an organization's relations each way, its roles)
    give, a page at a time, as many as its record counts: the record itself gives the first
    few."""
    from kzpolitics_generated_client.models import Problem
    from kzpolitics_generated_client.types import UNSET

    pages = set(json_lists(schema, record_pages=True).items()) - set(json_lists(schema).items())
    assert {name_of(path) for path, _ in pages} == {"relations", "related-from", "roles"}
    record = parsed(
        functions[module_of("organizations_retrieve")].sync_detailed(client=client, slug="otan"),
        Problem,
    ).to_dict()
    for path, operation_id in pages:
        way = name_of(path).replace("-", "_")
        names, page = [], 1
        while True:
            answer = parsed(
                functions[module_of(operation_id)].sync_detailed(
                    client=client, slug="otan", page=page, page_size=1
                ),
                Problem,
            )
            names += [row.to_dict()["kind"] for row in answer.results]
            if answer.next_ in (None, UNSET):
                break
            page += 1
        assert answer.count == len(names) == record[f"{way}_count"] > 0, path
        assert names == [row["kind"] for row in record[way]], path


def test_the_export_downloads_through_the_generated_client(schema, functions, client, tmp_path):
    from kzpolitics_generated_client.models import Problem

    versions = parsed(
        functions[module_of("export_versions_retrieve")].sync_detailed(client=client), Problem
    )
    current = versions["current"]["id"]
    lists = {name_of(path): operation for path, operation in json_lists(schema).items()}
    for operation_id, (kind, operation) in downloads(schema).items():
        takes_version = any(
            parameter["name"] == "version" and parameter["in"] == "path"
            for parameter in operation.get("parameters", [])
        )
        function = functions[module_of(operation_id)]
        response = (
            function.sync_detailed(current, client=client)
            if takes_version
            else function.sync_detailed(client=client)
        )
        content = parsed(response, Problem).payload.read()
        assert response.headers["Content-Type"] == kind, operation_id
        if kind == "application/zip":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                assert archive.testzip() is None, operation_id
                assert "datapackage.json" in archive.namelist(), operation_id
            continue
        path = tmp_path / f"{operation_id}.sqlite3"
        path.write_bytes(content)
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            # A list and the table of the same name hold the same records (acts and
            # registrations have tables named otherwise: tests/test_export_sqlite.py).
            shared = set(lists) & tables
            assert shared >= CORE_LISTS - {"acts", "registrations"}, operation_id
            for name in shared:
                count = parsed(
                    functions[module_of(lists[name])].sync_detailed(client=client, page_size=1),
                    Problem,
                ).count
                assert db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == count, name
