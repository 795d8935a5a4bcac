"""docker-compose.yml and the Dockerfile, checked by parsing (no Docker engine needed)."""

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else command


def test_compose_has_the_production_services(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
    volumes = services["postgres"]["volumes"]
    assert any(v.split(":")[0] in compose["volumes"] for v in volumes)


def test_app_services_are_built_here_and_read_dot_env(compose):
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        assert service["build"] == "."
        assert service["env_file"] == ".env"
    assert (ROOT / "Dockerfile").is_file()
    assert (ROOT / ".env.example").is_file()


def test_web_migrates_then_serves_with_gunicorn_on_a_real_wsgi_module(compose):
    command = " ".join(_command(compose["services"]["web"]))
    assert command.index("manage.py migrate") < command.index("gunicorn")
    module, attribute = re.search(r"gunicorn (\S+):(\w+)", command).groups()
    assert callable(getattr(importlib.import_module(module), attribute))


@pytest.mark.parametrize("name, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_celery_services_name_the_real_celery_app(compose, name, subcommand):
    command = _command(compose["services"][name])
    assert command[:2] == ["celery", "-A"]
    assert subcommand in command
    module = importlib.import_module(command[2])
    assert module.celery_app.main == "agency"


def test_env_example_sets_every_variable_the_services_need():
    names = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert {
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "POSTGRES_PASSWORD",
    } <= names


def test_dockerfile_serves_the_wsgi_app_and_installs_pdf_libraries():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --locked" in dockerfile
    assert "fonts-noto-cjk" in dockerfile and "libpango-1.0-0" in dockerfile
    assert "agency.wsgi:application" in dockerfile


def test_production_settings_pass_the_deploy_checks():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agency.settings.base",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "prod-like-" + "q7Zx9" * 12,
        "DJANGO_ALLOWED_HOSTS": "agency.example.com",
    }
    for name in (
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_COOKIES",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_web_service_trusts_one_proxy_and_shares_its_throttle_counters(compose):
    assert compose["services"]["web"]["environment"]["DJANGO_TRUSTED_PROXIES"] == "1"
    example = (ROOT / ".env.example").read_text()
    assert "DJANGO_CACHE_URL=redis://redis:6379/1" in example
