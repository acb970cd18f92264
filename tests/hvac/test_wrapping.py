"""Response wrapping through hvac: wrap_ttl on ordinary calls, sys.wrap/sys.unwrap, auth_cubbyhole,
a wrapped approle secret-id used to log in, and wrapping lookup/rewrap through the raw adapter
(hvac has no methods for those two)."""
import hvac
import pytest


def _wrap_info(response):
    assert response["data"] is None and response["auth"] is None
    return response["wrap_info"]


def test_wrap_and_unwrap(root_client):
    info = _wrap_info(root_client.sys.wrap(payload={"zip": "zap"}, ttl=120))
    assert info["ttl"] == 120 and info["creation_path"] == "sys/wrapping/wrap"
    assert info["token"].startswith("hvs.") and info["accessor"]

    unwrapped = root_client.sys.unwrap(token=info["token"])
    assert unwrapped["data"] == {"zip": "zap"}
    with pytest.raises(hvac.exceptions.InvalidRequest) as error:
        root_client.sys.unwrap(token=info["token"])
    assert "wrapping token is not valid or does not exist" in str(error.value)


def test_unwrap_with_the_wrapping_token_as_client_token(root_client):
    root_client.secrets.kv.v1.create_or_update_secret(path="app", secret={"password": "pw-secret"}, mount_point="cubbyhole")
    wrapped = root_client.read("cubbyhole/app", wrap_ttl="5m")
    assert "pw-secret" not in str(wrapped)
    token = _wrap_info(wrapped)["token"]

    recipient = hvac.Client(url=root_client.url, token=token)
    assert recipient.sys.unwrap()["data"] == {"password": "pw-secret"}


def test_wrapped_token_create_and_auth_cubbyhole(root_client):
    wrapped = root_client.auth.token.create(policies=["default"], ttl="1h", wrap_ttl="15m")
    info = _wrap_info(wrapped)
    assert info["ttl"] == 900 and info["creation_path"] == "auth/token/create" and info["wrapped_accessor"]

    recipient = hvac.Client(url=root_client.url)
    auth = recipient.auth_cubbyhole(info["token"])["auth"]
    assert auth["accessor"] == info["wrapped_accessor"] and auth["policies"] == ["default"]
    assert recipient.token == auth["client_token"]
    assert recipient.is_authenticated()
    assert recipient.auth.token.lookup_self()["data"]["accessor"] == info["wrapped_accessor"]


def test_wrapped_approle_secret_id_logs_in(root_client):
    root_client.sys.enable_auth_method("approle")
    root_client.auth.approle.create_or_update_approle(role_name="app", token_policies=["default"], token_ttl="20m")
    role_id = root_client.auth.approle.read_role_id(role_name="app")["data"]["role_id"]

    wrapped = root_client.auth.approle.generate_secret_id(role_name="app", wrap_ttl="60s")
    info = _wrap_info(wrapped)
    assert info["ttl"] == 60 and info["creation_path"] == "auth/approle/role/app/secret-id"

    # The recipient checks the token without spending it, then unwraps it with itself.
    anonymous = hvac.Client(url=root_client.url)
    lookup = anonymous.adapter.post("/v1/sys/wrapping/lookup", json={"token": info["token"]})
    assert lookup["data"]["creation_path"] == "auth/approle/role/app/secret-id"
    assert lookup["data"]["creation_ttl"] == 60

    secret = hvac.Client(url=root_client.url, token=info["token"]).sys.unwrap()["data"]
    assert secret["secret_id_accessor"] == info["wrapped_accessor"]
    login_client = hvac.Client(url=root_client.url)
    auth = login_client.auth.approle.login(role_id=role_id, secret_id=secret["secret_id"])["auth"]
    assert auth["lease_duration"] == 1200 and login_client.is_authenticated()

    with pytest.raises(hvac.exceptions.InvalidRequest):
        anonymous.adapter.post("/v1/sys/wrapping/lookup", json={"token": info["token"]})


def test_rewrap_and_wrapping_token_scope(root_client):
    info = _wrap_info(root_client.sys.wrap(payload={"k": "v"}, ttl="2m"))
    rewrapped = root_client.adapter.post("/v1/sys/wrapping/rewrap", json={"token": info["token"]})
    fresh = _wrap_info(rewrapped)
    assert fresh["token"] != info["token"] and fresh["ttl"] == 120

    with pytest.raises(hvac.exceptions.InvalidRequest):
        root_client.sys.unwrap(token=info["token"])
    wrapping_client = hvac.Client(url=root_client.url, token=fresh["token"])
    with pytest.raises(hvac.exceptions.Forbidden):
        wrapping_client.sys.list_mounted_secrets_engines()
    assert wrapping_client.sys.unwrap()["data"] == {"k": "v"}


def test_invalid_wrap_ttl_header(root_client):
    for bad in ["abc", "0", "-5"]:
        with pytest.raises(hvac.exceptions.InvalidRequest) as error:
            root_client.read("sys/mounts", wrap_ttl=bad)
        assert "X-Vault-Wrap-TTL" in str(error.value)
    with pytest.raises(hvac.exceptions.InvalidRequest) as error:
        root_client.adapter.post("/v1/sys/wrapping/wrap", json={"k": "v"})
    assert "endpoint requires response wrapping to be used" in str(error.value)
