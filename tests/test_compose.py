"""compose.yaml describes what README's "Scale" promises: PostgreSQL, the migrations run once
before anything else, two replicas sharing one database behind one address.

No container engine runs in CI, so this reads the files the engine would read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services: dict[str, Any] = compose["services"]
    return services


def _replicas(services: dict[str, Any]) -> dict[str, Any]:
    return {
        name: service
        for name, service in services.items()
        if service.get("build") == "." and "command" not in service
    }


def test_migrations_run_once_before_every_replica() -> None:
    services = _services()
    migrate = services["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    replicas = _replicas(services)
    assert len(replicas) == 2
    for replica in replicas.values():
        assert replica["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}


def test_replicas_share_one_postgresql_database() -> None:
    services = _services()
    urls = {s["environment"]["DATABASE_URL"] for s in [*_replicas(services).values()]}
    urls.add(services["migrate"]["environment"]["DATABASE_URL"])
    (url,) = urls
    assert url.startswith("postgresql://tandem:") and url.endswith("@postgres:5432/tandem")
    assert services["postgres"]["environment"]["POSTGRES_DB"] == "tandem"
    # No password is written in the file: it comes from .env.
    assert "${POSTGRES_PASSWORD" in services["postgres"]["environment"]["POSTGRES_PASSWORD"]


def test_one_address_in_front_of_both_replicas() -> None:
    services = _services()
    proxy = services["proxy"]
    assert len(proxy["ports"]) == 1
    (mount,) = proxy["volumes"]
    config = (ROOT / mount.split(":")[0]).read_text(encoding="utf-8")
    upstream = re.search(r"upstream tandem \{(.*?)\}", config, re.S)
    assert upstream is not None
    servers = set(re.findall(r"server ([\w.-]+):3000", upstream.group(1)))
    assert servers == set(_replicas(services))
    # The port nginx expects is pinned, so a PORT in .env cannot move the replicas away from it.
    assert {s["environment"]["PORT"] for s in _replicas(services).values()} == {"3000"}
    assert "proxy_pass http://tandem;" in config
    assert set(proxy["depends_on"]) == servers
    assert all(d["condition"] == "service_healthy" for d in proxy["depends_on"].values())


def test_every_long_running_service_has_a_healthcheck() -> None:
    services = _services()
    for name, service in services.items():
        if name != "migrate":
            assert service["healthcheck"]["test"], name
    for replica in _replicas(services).values():
        assert "/readyz" in " ".join(replica["healthcheck"]["test"])
