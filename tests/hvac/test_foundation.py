"""The foundation through hvac, the Python Vault client: init, unseal, seal status,
health, KV v1, key rotation, errors. Each assertion is something hvac's own test suite
asserts against real Vault."""
import hvac
import pytest


def init_and_unseal(client):
    assert client.sys.is_initialized() is False
    result = client.sys.initialize(secret_shares=5, secret_threshold=3)
    assert len(result["keys"]) == 5 and len(result["keys_base64"]) == 5
    assert client.sys.is_initialized() is True
    assert client.sys.is_sealed() is True
    client.sys.submit_unseal_keys(result["keys"][:3])
    assert client.sys.is_sealed() is False
    client.token = result["root_token"]
    return result


def test_init_unseal_and_seal_status(client):
    result = init_and_unseal(client)
    status = client.sys.read_seal_status()
    assert status["sealed"] is False
    assert status["t"] == 3 and status["n"] == 5
    assert client.is_authenticated()

    # hvac's test_unseal_multi sequence.
    client.sys.seal()
    assert client.sys.is_sealed()
    keys = result["keys"]
    status = client.sys.submit_unseal_keys(keys[0:2])
    assert status["sealed"] is True and status["progress"] == 2
    status = client.sys.submit_unseal_key(reset=True)
    assert status["progress"] == 0
    status = client.sys.submit_unseal_keys(keys[1:3])
    assert status["progress"] == 2
    client.sys.submit_unseal_key(keys[0])
    assert client.sys.is_sealed() is False
    # An extra key to an unsealed server answers the status.
    status = client.sys.submit_unseal_key(keys[2])
    assert status["sealed"] is False


def test_health_and_leader(client):
    health = client.sys.read_health_status(method="GET")
    assert health.status_code == 501
    init_and_unseal(client)
    health = client.sys.read_health_status(method="GET")
    assert health["initialized"] is True and health["sealed"] is False
    assert health["replication_performance_mode"] == "disabled"
    assert client.sys.read_health_status(method="HEAD").status_code == 200
    assert "ha_enabled" in client.sys.read_leader_status()


def test_kv_v1_read_write_list_delete(client):
    init_and_unseal(client)
    client.sys.enable_secrets_engine("kv", path="secret", options={"version": "1"})
    assert "secret/" in client.sys.list_mounted_secrets_engines()["data"]
    kv = client.secrets.kv.v1
    resp = kv.create_or_update_secret(path="app/db", secret={"user": "svc", "password": "p@ss"}, mount_point="secret")
    assert resp.status_code == 204
    read = kv.read_secret(path="app/db", mount_point="secret")
    assert read["data"] == {"user": "svc", "password": "p@ss"}
    assert read["lease_duration"] == 2764800
    kv.create_or_update_secret(path="app/api", secret={"key": "x"}, mount_point="secret")
    assert kv.list_secrets(path="app", mount_point="secret")["data"]["keys"] == ["api", "db"]
    kv.delete_secret(path="app/db", mount_point="secret")
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret(path="app/db", mount_point="secret")


def test_errors_map_to_hvac_exceptions(client):
    with pytest.raises(hvac.exceptions.VaultDown):
        client.secrets.kv.v1.read_secret(path="x", mount_point="secret")
    init_and_unseal(client)
    with pytest.raises(hvac.exceptions.InvalidRequest):
        client.sys.initialize(secret_shares=1, secret_threshold=1)
    with pytest.raises(hvac.exceptions.InvalidPath):
        client.secrets.kv.v1.read_secret(path="x", mount_point="nomount")
    bad = hvac.Client(url=client.url, token="hvs.not-a-token")
    with pytest.raises(hvac.exceptions.Forbidden):
        bad.secrets.kv.v1.read_secret(path="x", mount_point="secret")
    assert bad.is_authenticated() is False


def test_key_rotation_keeps_data(client):
    init_and_unseal(client)
    client.sys.enable_secrets_engine("kv", path="secret", options={"version": "1"})
    client.secrets.kv.v1.create_or_update_secret(path="a", secret={"v": "1"}, mount_point="secret")
    term = client.key_status["term"]
    client.sys.rotate_encryption_key()
    assert client.key_status["term"] == term + 1
    assert client.secrets.kv.v1.read_secret(path="a", mount_point="secret")["data"] == {"v": "1"}


def test_data_survives_restart(server, client):
    result = init_and_unseal(client)
    client.sys.enable_secrets_engine("kv", path="secret", options={"version": "1"})
    client.secrets.kv.v1.create_or_update_secret(path="persist", secret={"v": "kept"}, mount_point="secret")
    server.stop()
    server.start()
    assert client.sys.is_sealed()
    client.sys.submit_unseal_keys(result["keys"][2:5])
    assert client.secrets.kv.v1.read_secret(path="persist", mount_point="secret")["data"] == {"v": "kept"}
