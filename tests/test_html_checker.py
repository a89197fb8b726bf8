"""The Nu Html Checker (vnu.jar, from npm) on every kind of public page: no errors.

The pages are rendered by the test client on this run's database (SQLite or PostgreSQL) and
checked in one run of the checker; its figures are written to build/test-artefacts/.
"""

import json
import subprocess

import pytest

from .checkers import ARTEFACTS, VNU_JAR, missing_html_checker
from .page_kinds import NOT_FOUND, PAGES

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,  # the checker runs in Java, as a subprocess
    pytest.mark.skipif(bool(missing_html_checker()), reason=missing_html_checker() or "-"),
]

MORE = {
    "organization-list-filtered": "/organizations/?kind=party&stance=opposition&sort=-founded",
    "timeline-filtered": "/timeline/?from=1990&to=1995&kind=event",
    "election-detail-presidential": "/elections/presidential-1999/",
    "source-detail-article": "/sources/babak-kazakhstan-multiparty-system/",
    "search-empty": "/search/?q=",
    "not-found": NOT_FOUND,
}


def test_the_html_checker_finds_no_error_on_any_page_kind(client, tmp_path):
    files = {}
    for kind, url in {**PAGES, **MORE}.items():
        response = client.get(url)
        assert response.status_code == (404 if url == NOT_FOUND else 200), url
        path = tmp_path / f"{kind}.html"
        path.write_bytes(response.content)
        files[str(path)] = url
    done = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stderr)
    messages = report["messages"]
    errors = [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    warnings = [m for m in messages if m.get("subType") == "warning"]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "html-checker.json").write_text(
        json.dumps(
            {
                "checker": report.get("version"),
                "pages": len(files),
                "errors": len(errors),
                "warnings": len(warnings),
                "messages": messages,
            },
            indent=2,
        )
    )
    readable = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}"
        f":{m.get('lastLine')}: {m['message']}"
        for m in errors
    ]
    assert not errors, "\n".join(readable)
