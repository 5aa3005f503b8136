# MediaReg: one image for the web server (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml chooses the command; the default runs the web server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DOCUMENTS_ROOT=/app/var/documents \
    BACKUP_DIR=/backups

WORKDIR /app

# pg_dump, pg_restore and psql for `manage.py backup` and `restore` (mediareg/backups.py), of the major version of
# docker-compose.yml's PostgreSQL: Debian's own client may be older than the server, and pg_dump refuses a newer
# server. From the PostgreSQL project's apt repository; its key is fetched over HTTPS with Python (no curl here).
ARG POSTGRES_CLIENT_MAJOR=16
RUN python -c "import urllib.request; urllib.request.urlretrieve('https://www.postgresql.org/media/keys/ACCC4CF8.asc', '/usr/share/keyrings/apt.postgresql.org.asc')" \
    && . /etc/os-release \
    && echo "deb [signed-by=/usr/share/keyrings/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_CLIENT_MAJOR}" \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, from pyproject.toml's pinned list, so that a code change reuses this layer.
# The project itself runs from /app (PYTHONPATH), next to templates/ and locale/, which settings
# find through BASE_DIR; installing it into site-packages would move BASE_DIR away from them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# The code is copied with the checkout's modes, owned by root: on a server whose umask is 027 or 077 (hardened
# servers, docs/en/installation.md) the unprivileged user below could not read a line of it.
RUN chmod -R a+rX /app

# Static files are collected into the image (whitenoise serves them with hashed names). The key
# below exists only for this build step; docker-compose.yml gives the running containers the one
# key they share.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret DEBUG=false \
        python manage.py collectstatic --no-input --verbosity 0

# Run as an unprivileged user. Uploaded documents (tax and identity data) live in a volume that
# only this user can read; they are never under a public URL.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home mediareg \
    && mkdir -p "$DOCUMENTS_ROOT" "$BACKUP_DIR" \
    && chown -R mediareg:mediareg /app/var "$BACKUP_DIR" \
    && chmod 750 /app/var "$DOCUMENTS_ROOT" "$BACKUP_DIR"
USER mediareg
VOLUME ["/app/var/documents"]

EXPOSE 8000
# No control socket: gunicornc is not used, and $HOME (/app) is not writable for this user.
CMD ["gunicorn", "mediareg.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
