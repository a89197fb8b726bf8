from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def admin_change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@register.filter
def verbose_name(obj) -> str:
    return obj._meta.verbose_name
