"""Audit devices through hvac: a file device logs a KV write and read with the secret, the
token and the accessor only as HMACs, and sys/audit-hash reproduces them."""
import json
import os

import hvac.exceptions
import pytest


def _entries(path):
    with open(path) as f:
        return [json.loads(line) for line in f.read().splitlines()]


def test_file_audit_device_hmacs_and_hash(root_client, server):
    client = root_client
    log = os.path.join(server.workdir, "audit.log")
    # hvac's own tests pass the legacy option name `path`.
    client.sys.enable_audit_device("file", options={"path": log})
    devices = client.sys.list_enabled_audit_devices()
    assert "file/" in devices["data"]
    assert devices["data"]["file/"]["type"] == "file"
    assert devices["data"]["file/"]["options"] == {"path": log}

    client.sys.enable_secrets_engine("kv", path="kv", options={"version": "1"})
    secret = "hvac-audit-secret-31"
    client.secrets.kv.v1.create_or_update_secret(path="app", secret={"password": secret}, mount_point="kv")
    assert client.secrets.kv.v1.read_secret(path="app", mount_point="kv")["data"]["password"] == secret

    with open(log) as f:
        text = f.read()
    assert secret not in text
    assert client.token not in text
    accessor = client.auth.token.lookup_self()["data"]["accessor"]
    assert accessor not in text

    hashed = client.sys.calculate_hash(path="file", input_to_hash=secret)["data"]["hash"]
    assert hashed.startswith("hmac-sha256:")
    entries = _entries(log)
    # hvac reads the path first to choose between POST and PUT: take the write itself.
    write = [
        e for e in entries
        if e["type"] == "request" and e["request"]["path"] == "kv/app" and e["request"]["operation"] in ("create", "update")
    ][0]
    assert write["request"]["data"]["password"] == hashed
    read = [e for e in entries if e["type"] == "response" and e["request"]["path"] == "kv/app"][-1]
    assert read["response"]["data"]["password"] == hashed
    token_hash = client.sys.calculate_hash(path="file", input_to_hash=client.token)["data"]["hash"]
    assert write["request"]["client_token"] == token_hash
    assert write["auth"]["client_token"] == token_hash

    with pytest.raises(hvac.exceptions.InvalidRequest, match="unknown audit backend"):
        client.sys.calculate_hash(path="nope", input_to_hash="x")

    client.sys.disable_audit_device("file")
    assert "file/" not in client.sys.list_enabled_audit_devices()["data"]
    before = len(_entries(log))
    client.secrets.kv.v1.read_secret(path="app", mount_point="kv")
    assert len(_entries(log)) == before
