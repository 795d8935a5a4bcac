from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo agency (``manage.py seed_demo``). It has no models and no pages: it is the top
    layer, seeding through every app's services, and nothing imports it."""

    name = "demo"
