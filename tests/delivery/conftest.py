"""Fixtures of the delivery tests: the local SMTP and robot servers of ``services`` and
the tiny city with contacts, each started for one test and stopped after it."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from needs import need
from services import (
    RobotServer,
    SmtpServer,
    smtp_login_check,
    SmtpHandler,
    free_port,
    make_city,
)

@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it via INDICATORS_SMTP_CAFILE)."""
    if shutil.which("openssl") is None:
        need("openssl（为本地 SMTP 服务器生成 TLS 证书）")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def smtp_factory(certificate):
    """``smtp_factory("starttls" | "ssl" | "none")`` → a running ``SmtpServer``."""
    from aiosmtpd.controller import Controller
    started = []

    def start(security: str = "starttls") -> SmtpServer:
        cert, key = certificate
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server = SmtpServer(port=free_port(), security=security, cafile=str(cert))
        kwargs = dict(hostname="127.0.0.1", port=server.port, authenticator=smtp_login_check,
                      # aiosmtpd knows TLS only from STARTTLS; with implicit TLS the whole session is TLS
                      auth_require_tls=security == "starttls", auth_required=security != "none")
        if security == "starttls":
            kwargs |= dict(tls_context=context, require_starttls=True)
        elif security == "ssl":
            kwargs |= dict(ssl_context=context)
        controller = Controller(SmtpHandler(server), **kwargs)
        controller.start()
        started.append(controller)
        return server

    yield start
    for c in started:
        c.stop()


@pytest.fixture
def smtp(smtp_factory) -> SmtpServer:
    return smtp_factory("starttls")


@pytest.fixture
def robots():
    server = RobotServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def city_master(tmp_path_factory) -> Path:
    return make_city(tmp_path_factory.mktemp("city") / "city.duckdb")


@pytest.fixture
def city(city_master, tmp_path) -> Path:
    path = tmp_path / "city.duckdb"
    shutil.copy(city_master, path)
    return path




@pytest.fixture
def soffice():
    """The pack's PDF needs LibreOffice: skip without it, but fail in CI (which installs it)."""
    from indicators.report.pdf import find_soffice
    if find_soffice() is None:
        need("LibreOffice（soffice，生成月调度材料的 PDF）")
