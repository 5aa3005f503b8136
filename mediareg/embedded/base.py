"""Django's PostgreSQL backend for the embedded server (settings without DATABASE_URL): before each new
connection it finds the server of DATABASES["default"]["DATA_DIR"], starting it when it is not running, so
any process (runserver, a command, a Celery worker started by hand) reaches the same one."""

from __future__ import annotations

from pathlib import Path

from django.db.backends.postgresql import base, client

from mediareg import embedded


def find_server(settings_dict: dict) -> embedded.Server:
    server = embedded.ensure_running(Path(settings_dict["DATA_DIR"]))
    if server.started:
        embedded.logger.warning("Started the embedded PostgreSQL (data in %s); it keeps running after this process: "
                                "`make stop` stops it.", server.pgdata)
    return server


class DatabaseClient(client.DatabaseClient):
    """`manage.py dbshell` opens the wheel's psql on the embedded server, not a psql on PATH on another server."""

    @classmethod
    def settings_to_cmd_args_env(cls, settings_dict, parameters):
        server = find_server(settings_dict)
        args, env = super().settings_to_cmd_args_env(
            {**settings_dict, "HOST": server.host, "PORT": server.port}, parameters)
        args[0] = str(embedded.binary("psql"))
        return args, env


class DatabaseWrapper(base.DatabaseWrapper):
    client_class = DatabaseClient

    def get_connection_params(self):
        params = super().get_connection_params()
        params.update(find_server(self.settings_dict).connection_params())
        return params
