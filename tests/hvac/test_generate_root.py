"""Root token generation and rekey through hvac, the Python Vault client, against a
real `coffer server` on SQLite. The flows mirror hvac's own tests (test_generate_root,
test_key.py's rekey tests); the encoded token is decoded the way hvac's test helper does
through the vault CLI: base64 of token XOR OTP (here in Python, and with `coffer operator
generate-root -decode`)."""
import base64
import os
import subprocess

import hvac
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# hvac's fixed OTP for Vault >= 1.10 (tests/utils get_generate_root_otp): 28 characters,
# so the server must mint root tokens of exactly that length.
HVAC_OTP = "BMjzW3wAsEzINXCM05Wbas3u9zSl"


@pytest.fixture
def initialized(client):
    """An initialised (5 shares, threshold 3) and unsealed server: (client, keys, root token)."""
    result = client.sys.initialize(secret_shares=5, secret_threshold=3)
    client.sys.submit_unseal_keys(result["keys"][:3])
    client.token = result["root_token"]
    return client, result["keys"], result["root_token"]


def decode_token(encoded, otp):
    """base64 (Vault >= 1.10 sends it unpadded) of token XOR otp, undone."""
    raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    assert len(raw) == len(otp)
    return bytes(a ^ b for a, b in zip(raw, otp.encode())).decode()


def coffer_decode(server, encoded, otp):
    binary = os.environ.get("COFFER_BINARY", os.path.join(ROOT, ".build", "debug", "coffer"))
    env = dict(os.environ, VAULT_ADDR=server.url)
    out = subprocess.run(
        [binary, "operator", "generate-root", "-tls-skip-verify", "-decode", encoded, "-otp", otp],
        env=env, capture_output=True, text=True, timeout=60, check=True)
    return out.stdout.strip()


def test_generate_root_with_hvac_otp(server, initialized):
    client, keys, _ = initialized
    assert client.sys.read_root_generation_progress()["started"] is False
    assert client.sys.read_root_generation_progress()["otp_length"] == len(HVAC_OTP)

    start = client.sys.start_root_token_generation(otp=HVAC_OTP)
    assert start["started"] is True
    nonce = start["nonce"]
    assert client.sys.read_root_generation_progress()["nonce"] == nonce

    last = {}
    for key in keys[0:3]:
        last = client.sys.generate_root(key=key, nonce=nonce)
    assert last["complete"] is True
    new_token = decode_token(last["encoded_root_token"], HVAC_OTP)
    assert new_token.startswith("hvs.") and len(new_token) == 28
    assert coffer_decode(server, last["encoded_root_token"], HVAC_OTP) == new_token

    fresh = hvac.Client(url=client.url, token=new_token)
    assert fresh.is_authenticated()
    assert fresh.auth.token.lookup_self()["data"]["policies"] == ["root"]
    assert client.sys.read_root_generation_progress()["started"] is False


def test_generate_root_server_otp_cancel_and_errors(initialized):
    client, keys, _ = initialized
    start = client.sys.start_root_token_generation()
    otp = start["otp"]
    assert len(otp) == start["otp_length"] == 28
    nonce = start["nonce"]

    with pytest.raises(hvac.exceptions.InvalidRequest, match="incorrect nonce"):
        client.sys.generate_root(key=keys[0], nonce="wrong")
    assert client.sys.generate_root(key=keys[0], nonce=nonce)["progress"] == 1
    with pytest.raises(hvac.exceptions.InvalidRequest, match="already been provided"):
        client.sys.generate_root(key=keys[0], nonce=nonce)
    with pytest.raises(hvac.exceptions.InvalidRequest, match="already in progress"):
        client.sys.start_root_token_generation(otp=HVAC_OTP)

    assert client.sys.cancel_root_generation().status_code == 204
    assert client.sys.read_root_generation_progress()["started"] is False

    with pytest.raises(hvac.exceptions.InvalidRequest, match="wrong length"):
        client.sys.start_root_token_generation(otp="too-short")
    with pytest.raises(hvac.exceptions.InvalidRequest, match="pgp_key is not supported"):
        client.sys.start_root_token_generation(pgp_key="bXkga2V5")

    # The server-generated OTP decodes a working token too.
    start = client.sys.start_root_token_generation()
    last = {}
    for key in keys[2:5]:
        last = client.sys.generate_root(key=key, nonce=start["nonce"])
    token = decode_token(last["encoded_token"], start["otp"])
    assert hvac.Client(url=client.url, token=token).is_authenticated()


def test_generate_root_while_sealed(initialized):
    client, keys, _ = initialized
    client.sys.seal()
    with pytest.raises(hvac.exceptions.VaultDown):
        client.sys.read_root_generation_progress()
    with pytest.raises(hvac.exceptions.VaultDown):
        client.sys.start_root_token_generation(otp=HVAC_OTP)
    client.sys.submit_unseal_keys(keys[:3])
    assert client.sys.read_root_generation_progress()["started"] is False


def test_rekey_then_unseal_with_new_keys(initialized):
    client, keys, _ = initialized
    # hvac's test_rekey_multi sequence.
    assert client.sys.read_rekey_progress()["started"] is False
    client.sys.start_rekey()
    assert client.sys.read_rekey_progress()["started"] is True
    client.sys.cancel_rekey()
    assert client.sys.read_rekey_progress()["started"] is False

    start = client.sys.start_rekey(secret_shares=3, secret_threshold=2)
    assert start["t"] == 2 and start["n"] == 3 and start["required"] == 3
    result = client.sys.rekey_multi(keys, nonce=start["nonce"])
    assert result["complete"] is True
    new_keys = result["keys"]
    assert len(new_keys) == 3 and len(result["keys_base64"]) == 3

    client.sys.seal()
    with pytest.raises(hvac.exceptions.InvalidRequest):
        client.sys.submit_unseal_keys(keys[:2])
    assert client.sys.is_sealed() is True
    client.sys.submit_unseal_keys(new_keys[:2])
    assert client.sys.is_sealed() is False
    assert client.sys.read_seal_status()["t"] == 2


def test_rekey_with_verification(initialized):
    client, keys, _ = initialized
    start = client.sys.start_rekey(secret_shares=3, secret_threshold=2, require_verification=True)
    result = client.sys.rekey_multi(keys, nonce=start["nonce"])
    assert result["complete"] is True and result["verification_required"] is True
    new_keys = result["keys"]
    verify = client.sys.read_rekey_verify_progress()
    assert verify["nonce"] == result["verification_nonce"] and verify["progress"] == 0

    # Not in effect until verified.
    assert client.sys.read_seal_status()["t"] == 3
    restarted = client.sys.cancel_rekey_verify()
    assert restarted["nonce"] != verify["nonce"]
    done = client.sys.rekey_verify_multi(new_keys, nonce=restarted["nonce"])
    assert done["complete"] is True

    client.sys.seal()
    client.sys.submit_unseal_keys(new_keys[1:3])
    assert client.sys.is_sealed() is False

    with pytest.raises(hvac.exceptions.InvalidRequest, match="no backed-up keys found"):
        client.sys.read_backup_keys()
