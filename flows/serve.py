"""`govreport serve`: the load flow as a Prefect deployment with a cron schedule, executed by this process.

Only a running Prefect server schedules runs: the temporary local API other commands start lives only as long
as the command and schedules nothing, so serving needs PREFECT_API_URL to point at a server.
"""

from __future__ import annotations

import os
import pathlib
import zoneinfo

NO_SERVER = """serving needs a running Prefect server (the temporary API other commands start schedules
nothing). Start one in another terminal and point Prefect at it:

    prefect server start
    prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api

then run `govreport serve` again; runs show in the UI at http://127.0.0.1:4200."""


def problem(inbox: str, cron: str, timezone: str) -> str | None:
    """Why serving cannot start (no server, bad schedule, no inbox), or None. Checked up front: a served
    deployment with a bad inbox would only fail at 02:00."""
    from prefect.client.orchestration import get_client
    from prefect.schedules import Cron
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        return NO_SERVER
    try:
        zoneinfo.ZoneInfo(timezone)
        Cron(cron, timezone=timezone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        return f"bad schedule {cron!r} in {timezone!r}: {exc}"
    if not pathlib.Path(inbox).is_dir():
        return f"no inbox directory at {inbox}"
    urls = os.environ.get("GOVREPORT_FETCH_URLS")  # flows/fetch.py URLS_ENV (not imported: it loads Prefect flows)
    if urls and not pathlib.Path(urls).is_file():
        return f"no URL file at {urls} (GOVREPORT_FETCH_URLS)"
    with get_client(sync_client=True) as client:
        failure = client.api_healthcheck()
    if failure is not None:
        return f"no Prefect server answers at {url} ({failure}).\n\n{NO_SERVER}"
    return None


def parameters(inbox: str, db_path: str, docs_dir: str | None) -> dict[str, str | None]:
    """The load flow's arguments for every scheduled run: absolute, as the UI shows them."""
    return {"source": str(pathlib.Path(inbox).resolve()), "db_path": str(pathlib.Path(db_path).resolve()),
            "docs_dir": docs_dir}


def nightly(inbox: str, db_path: str, docs_dir: str | None, urls_file: str | None = None):
    """The flow each scheduled run runs, its parameters and its description: load_reports over the inbox, or,
    with a URL file configured (GOVREPORT_FETCH_URLS), fetch_and_load: fetch those URLs into the inbox first."""
    urls_file = urls_file or os.environ.get("GOVREPORT_FETCH_URLS")
    if not urls_file:
        from flows.load import load_reports
        from flows.runners import AUTO_WORKERS

        # a backlog (the first night, a bulk drop) extracts on every core; a quiet night's few files in process
        params = {**parameters(inbox, db_path, docs_dir), "workers": AUTO_WORKERS}
        return load_reports, params, f"Load new or changed report files from {inbox}"
    from flows.fetch import fetch_and_load

    params = {"urls_file": str(pathlib.Path(urls_file).resolve()), **parameters(inbox, db_path, docs_dir)}
    return fetch_and_load, params, f"Fetch the reports of {urls_file} into {inbox}, then load what is new or changed"


def serve(name: str, inbox: str, db_path: str, cron: str, timezone: str, docs_dir: str | None) -> None:
    """Register the deployment and execute its runs until interrupted (the schedule is paused on exit)."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    flow, params, description = nightly(inbox, db_path, docs_dir)
    flow.serve(
        name=name, schedules=[Cron(cron, timezone=timezone)], parameters=params,
        description=f"{description} ({cron}, {timezone}).",
        # One run at a time: a second would only find the warehouse's writer lock taken and fail.
        limit=1, entrypoint_type=EntrypointType.MODULE_PATH)
