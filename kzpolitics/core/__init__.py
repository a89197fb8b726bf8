"""The core: the shared records every app builds on (sources, citations, people, places,
events, dates, publication). It imports no app: see the import contract in pyproject.toml."""
