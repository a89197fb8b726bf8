"""What every public page view shares: a references collector for its footnotes."""

from .references import References


class ReferencesMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refs"] = References()
        return context
