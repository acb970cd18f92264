"""userpass and approle through hvac: the login flow mints tokens with the method's policies."""
import hvac
import pytest


def test_userpass_login(root_client):
    root_client.sys.enable_auth_method("userpass")
    assert "userpass/" in root_client.sys.list_auth_methods()
    root_client.sys.create_or_update_policy(name="dev", policy='path "secret/*" { capabilities = ["read"] }')
    root_client.auth.userpass.create_or_update_user(username="tester", password="s3cret-pass", policies=["dev"])
    user = root_client.auth.userpass.read_user(username="tester")["data"]
    assert "password" not in user and user["token_policies"] == ["dev"]

    login_client = hvac.Client(url=root_client.url)
    auth = login_client.auth.userpass.login(username="tester", password="s3cret-pass")["auth"]
    assert auth["client_token"].startswith("hvs.")
    assert auth["policies"] == ["default", "dev"] and auth["metadata"] == {"username": "tester"}
    assert login_client.is_authenticated()
    assert login_client.auth.token.lookup_self()["data"]["display_name"] == "userpass-tester"

    for username, password in [("tester", "wrong"), ("nobody", "s3cret-pass")]:
        with pytest.raises(hvac.exceptions.InvalidRequest) as error:
            hvac.Client(url=root_client.url).auth.userpass.login(username=username, password=password)
        assert "invalid username or password" in str(error.value)
        assert password not in str(error.value)


def test_approle_login(root_client):
    root_client.sys.enable_auth_method("approle")
    root_client.auth.approle.create_or_update_approle(role_name="app", token_policies=["default"], token_ttl="20m")
    role_id = root_client.auth.approle.read_role_id(role_name="app")["data"]["role_id"]
    secret = root_client.auth.approle.generate_secret_id(role_name="app")["data"]
    login_client = hvac.Client(url=root_client.url)
    auth = login_client.auth.approle.login(role_id=role_id, secret_id=secret["secret_id"])["auth"]
    assert auth["lease_duration"] == 1200 and auth["metadata"]["role_name"] == "app"
    assert login_client.is_authenticated()
    root_client.auth.approle.destroy_secret_id(role_name="app", secret_id=secret["secret_id"])
    with pytest.raises(hvac.exceptions.InvalidRequest):
        hvac.Client(url=root_client.url).auth.approle.login(role_id=role_id, secret_id=secret["secret_id"])


def test_login_token_lease_lookup_renew_revoke(root_client):
    """A login's token has a lease under the login path: listed, looked up, renewed and
    revoked through sys/leases with hvac; revoking the lease revokes the token."""
    root_client.sys.enable_auth_method("userpass", path="leasetest")
    root_client.auth.userpass.create_or_update_user(
        username="leaser", password="pw-lease-1", policies=["default"], token_ttl="30m", mount_point="leasetest")
    login_client = hvac.Client(url=root_client.url)
    auth = login_client.auth.userpass.login(username="leaser", password="pw-lease-1", mount_point="leasetest")["auth"]
    assert auth["lease_duration"] == 1800 and auth["renewable"] is True

    prefix = "auth/leasetest/login/leaser/"
    keys = root_client.sys.list_leases(prefix=prefix)["data"]["keys"]
    assert len(keys) == 1
    lease_id = prefix + keys[0]
    lease = root_client.sys.read_lease(lease_id=lease_id)["data"]
    assert lease["id"] == lease_id and 0 < lease["ttl"] <= 1800 and lease["renewable"] is True
    assert auth["client_token"] not in str(lease)

    # As in Vault, a token's lease is renewed through the token, not sys/leases/renew.
    with pytest.raises(hvac.exceptions.InvalidRequest) as error:
        root_client.sys.renew_lease(lease_id=lease_id, increment=600)
    assert "tokens cannot be renewed through this endpoint" in str(error.value)
    renewed = login_client.auth.token.renew_self(increment=600)["auth"]
    assert 0 < renewed["lease_duration"] <= 1800
    assert 0 < root_client.sys.read_lease(lease_id=lease_id)["data"]["ttl"] <= 600

    root_client.sys.revoke_lease(lease_id=lease_id)
    assert not login_client.is_authenticated()
    with pytest.raises(hvac.exceptions.InvalidPath):
        root_client.sys.list_leases(prefix=prefix)
