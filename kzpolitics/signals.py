"""Every save or delete of a record in a content app moves the data version on."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

CONTENT_APPS = ("kzpolitics", "parties", "elections", "legislation")


def touch_data_version(sender, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures loaded with loaddata: the loader touches once at the end
    from .models import DataVersion

    if sender is DataVersion:
        return
    DataVersion.touch()


def connect() -> None:
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name == "dataversion":
                continue
            uid = f"data-version-{model._meta.label_lower}"
            post_save.connect(touch_data_version, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(touch_data_version, sender=model, dispatch_uid=f"{uid}-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    touch_data_version,
                    sender=field.remote_field.through,
                    dispatch_uid=f"{uid}-{field.name}-m2m",
                )
