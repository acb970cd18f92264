"""Starts a real `coffer server` on SQLite for the hvac compatibility tests.

The binary comes from $COFFER_BINARY or .build/debug/coffer (scripts/test builds it).
"""
import os
import socket
import subprocess
import tempfile
import time

import hvac
import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workdir):
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = os.path.join(workdir, "coffer.hcl")
        with open(self.config, "w") as f:
            f.write(
                f'storage "sqlite" {{\n  path = "{workdir}/coffer.db"\n}}\n'
                f'listener "tcp" {{\n  address = "127.0.0.1:{self.port}"\n  tls_disable = true\n}}\n'
                'disable_mlock = true\nlog_level = "warn"\n'
            )
        self.proc = None
        self.log = open(os.path.join(workdir, "server.log"), "ab")

    def start(self):
        binary = os.environ.get("COFFER_BINARY", os.path.join(ROOT, ".build", "debug", "coffer"))
        self.proc = subprocess.Popen([binary, "server", f"-config={self.config}"], stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("coffer exited at start; see " + self.log.name)
            try:
                requests.get(self.url + "/v1/sys/health", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("coffer did not answer within 30 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def server():
    with tempfile.TemporaryDirectory(prefix="coffer-hvac-") as workdir:
        s = Server(workdir)
        s.start()
        try:
            yield s
        finally:
            s.stop()


@pytest.fixture
def client(server):
    return hvac.Client(url=server.url)


@pytest.fixture
def root_client(client):
    """A client holding the root token of a freshly initialised and unsealed server."""
    result = client.sys.initialize(secret_shares=3, secret_threshold=2)
    client.sys.submit_unseal_keys(result["keys"][:2])
    client.token = result["root_token"]
    return client
