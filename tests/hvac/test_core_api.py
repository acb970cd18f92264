"""Mounts, KV v2, ACL policies and the token store through hvac. Each check mirrors what
hvac's own test suite asserts against real Vault."""
import json

import hvac
import pytest


def kv2(client, path="secret"):
    client.sys.enable_secrets_engine("kv", path=path, options={"version": "2"})
    return client.secrets.kv.v2


def test_kv_v2_version_lifecycle(root_client):
    kv = kv2(root_client)
    first = kv.create_or_update_secret(path="app/db", secret={"password": "one"}, mount_point="secret")
    assert first["data"]["version"] == 1
    kv.create_or_update_secret(path="app/db", secret={"password": "two"}, mount_point="secret")
    latest = kv.read_secret_version(path="app/db", mount_point="secret", raise_on_deleted_version=True)
    assert latest["data"]["data"] == {"password": "two"}
    assert latest["data"]["metadata"]["version"] == 2
    old = kv.read_secret_version(path="app/db", version=1, mount_point="secret", raise_on_deleted_version=True)
    assert old["data"]["data"] == {"password": "one"}

    # check-and-set
    with pytest.raises(hvac.exceptions.InvalidRequest):
        kv.create_or_update_secret(path="app/db", secret={"password": "x"}, cas=1, mount_point="secret")
    kv.create_or_update_secret(path="app/db", secret={"password": "three"}, cas=2, mount_point="secret")

    # patch merges
    kv.patch(path="app/db", secret={"user": "svc"}, mount_point="secret")
    assert kv.read_secret_version(path="app/db", mount_point="secret", raise_on_deleted_version=True)["data"]["data"] == {
        "password": "three", "user": "svc"}

    # soft delete, then read the deleted version without raising: 404 body with metadata
    kv.delete_latest_version_of_secret(path="app/db", mount_point="secret")
    deleted = kv.read_secret_version(path="app/db", mount_point="secret", raise_on_deleted_version=False)
    assert deleted["data"]["data"] is None
    assert deleted["data"]["metadata"]["deletion_time"] != ""
    kv.undelete_secret_versions(path="app/db", versions=[4], mount_point="secret")
    assert kv.read_secret_version(path="app/db", mount_point="secret", raise_on_deleted_version=True)["data"]["data"]["user"] == "svc"
    kv.destroy_secret_versions(path="app/db", versions=[1], mount_point="secret")
    meta = kv.read_secret_metadata(path="app/db", mount_point="secret")
    assert meta["data"]["versions"]["1"]["destroyed"] is True
    assert meta["data"]["current_version"] == 4

    kv.update_metadata(path="app/db", max_versions=2, custom_metadata={"owner": "team-a"}, mount_point="secret")
    meta = kv.read_secret_metadata(path="app/db", mount_point="secret")
    assert meta["data"]["max_versions"] == 2 and meta["data"]["custom_metadata"] == {"owner": "team-a"}

    kv.create_or_update_secret(path="app/api", secret={"k": "v"}, mount_point="secret")
    assert kv.list_secrets(path="app", mount_point="secret")["data"]["keys"] == ["api", "db"]
    kv.delete_metadata_and_all_versions(path="app/db", mount_point="secret")
    with pytest.raises(hvac.exceptions.InvalidPath):
        kv.read_secret_version(path="app/db", mount_point="secret", raise_on_deleted_version=True)


def test_policies_crud_and_enforcement(root_client):
    kv = kv2(root_client)
    kv.create_or_update_secret(path="app/config", secret={"a": "1"}, mount_point="secret")
    kv.create_or_update_secret(path="other/config", secret={"b": "2"}, mount_point="secret")
    rules = 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\n'
    root_client.sys.create_or_update_policy(name="app-read", policy=rules)
    assert root_client.sys.read_policy(name="app-read")["rules"] == rules
    assert "app-read" in root_client.sys.list_policies()["policies"]
    policy_dict = {"path": {"secret/data/app/*": {"capabilities": ["read", "update", "create"]}}}
    root_client.sys.create_or_update_acl_policy(name="app-write", policy=json.dumps(policy_dict))
    assert root_client.sys.read_acl_policy(name="app-write")["data"] == {
        "name": "app-write", "policy": json.dumps(policy_dict)}
    assert "app-write" in root_client.sys.list_acl_policies()["data"]["keys"]

    token = root_client.auth.token.create(policies=["app-read"], ttl="1h")["auth"]["client_token"]
    reader = hvac.Client(url=root_client.url, token=token)
    assert reader.secrets.kv.v2.read_secret_version(path="app/config", mount_point="secret",
                                                     raise_on_deleted_version=True)["data"]["data"] == {"a": "1"}
    with pytest.raises(hvac.exceptions.Forbidden):
        reader.secrets.kv.v2.read_secret_version(path="other/config", mount_point="secret", raise_on_deleted_version=True)
    with pytest.raises(hvac.exceptions.Forbidden):
        reader.secrets.kv.v2.create_or_update_secret(path="app/config", secret={"a": "2"}, mount_point="secret")
    caps = root_client.sys.get_capabilities(paths=["secret/data/app/x", "secret/data/other"], token=token)
    assert caps["secret/data/app/x"] == ["read"] and caps["secret/data/other"] == ["deny"]

    with pytest.raises(hvac.exceptions.InvalidRequest):
        root_client.sys.create_or_update_policy(name="bad", policy='path "x" { capabilities = ["rread"] }')
    root_client.sys.delete_policy(name="app-read")
    root_client.sys.delete_policy(name="app-read")  # idempotent
    with pytest.raises(hvac.exceptions.Forbidden):
        reader.secrets.kv.v2.read_secret_version(path="app/config", mount_point="secret", raise_on_deleted_version=True)


def test_token_create_lookup_renew_revoke(root_client):
    token = root_client.auth.token
    root_client.sys.create_or_update_policy(
        name="token-creator", policy='path "auth/token/create" { capabilities = ["create", "update"] }')
    parent = token.create(policies=["default", "token-creator"], ttl="1h", renewable=True)["auth"]
    assert parent["client_token"].startswith("hvs.")
    assert parent["lease_duration"] == 3600 and parent["renewable"] is True
    looked = token.lookup(parent["client_token"])["data"]
    assert looked["policies"] == ["default", "token-creator"] and looked["accessor"] == parent["accessor"]
    assert token.lookup_accessor(parent["accessor"])["data"]["id"] == ""
    renewed = token.renew(parent["client_token"], increment="30m")["auth"]
    assert 0 < renewed["lease_duration"] <= 3600

    parent_client = hvac.Client(url=root_client.url, token=parent["client_token"])
    assert "token-creator" in parent_client.auth.token.lookup_self()["data"]["policies"]
    child = parent_client.auth.token.create(policies=["default"])["auth"]["client_token"]
    sibling = token.create(policies=["default"])["auth"]["client_token"]
    with pytest.raises(hvac.exceptions.InvalidRequest):  # not a subset of the parent's policies
        parent_client.auth.token.create(policies=["root"])
    token.revoke(parent["client_token"])
    with pytest.raises(hvac.exceptions.Forbidden):
        parent_client.auth.token.lookup_self()
    assert hvac.Client(url=root_client.url, token=child).is_authenticated() is False
    assert hvac.Client(url=root_client.url, token=sibling).is_authenticated() is True

    orphan = token.create_orphan(policies=["default"])["auth"]
    assert orphan["orphan"] is True
    token.revoke_accessor(orphan["accessor"])
    with pytest.raises(hvac.exceptions.InvalidRequest):
        token.lookup_accessor(orphan["accessor"])


def test_mounts_enable_tune_move_disable(root_client):
    root_client.sys.enable_secrets_engine("kv", path="team", options={"version": "2"}, description="team secrets")
    mounts = root_client.sys.list_mounted_secrets_engines()["data"]
    assert mounts["team/"]["options"] == {"version": "2"}
    assert "cubbyhole/" in mounts and mounts["cubbyhole/"]["local"] is True
    root_client.sys.tune_mount_configuration(path="team", default_lease_ttl="1h", max_lease_ttl="2h")
    tuned = root_client.sys.read_mount_configuration(path="team")["data"]
    assert tuned["default_lease_ttl"] == 3600 and tuned["max_lease_ttl"] == 7200
    root_client.secrets.kv.v2.create_or_update_secret(path="x", secret={"v": "1"}, mount_point="team")
    root_client.sys.move_backend(from_path="team", to_path="squad")
    assert root_client.secrets.kv.v2.read_secret_version(path="x", mount_point="squad",
                                                         raise_on_deleted_version=True)["data"]["data"] == {"v": "1"}
    root_client.sys.disable_secrets_engine(path="squad")
    assert "squad/" not in root_client.sys.list_mounted_secrets_engines()["data"]
    with pytest.raises(hvac.exceptions.InvalidRequest):
        root_client.sys.enable_secrets_engine("nosuchengine", path="zzz")
