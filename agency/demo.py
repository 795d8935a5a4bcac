"""The demo agency behind `make run`. Idempotent: every object is found by a natural key."""

from agency.models import User

DEMO_PASSWORD = "agency-demo"


def _user(username: str, *, staff: bool, first_name: str, email: str) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "is_staff": staff,
            "is_superuser": staff,
            "first_name": first_name,
            "email": email,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed_demo() -> list[str]:
    _user("manager", staff=True, first_name="Li Na", email="manager@agency.example")
    _user("owner_a", staff=False, first_name="Wang", email="owner_a@shops.example")
    _user("owner_b", staff=False, first_name="Zhao", email="owner_b@shops.example")
    return [f"users: {User.objects.count()}"]
