"""The project's tools, run from the checkout (``python scripts/bench.py``, ``manage.py
seed_synthetic``); none of them ships with the site."""
