"""Django looks for an app's models in ``<app>.models``: this app's are the core's."""

from kzpolitics.core.models import *  # noqa: F403
from kzpolitics.core.models import __all__  # noqa: F401
