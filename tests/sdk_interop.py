"""The vendors' own clients against `agentcred sandbox serve`.

Run by .ci/run in a venv with the pinned packages of tests/sdk_interop.requirements.txt:

    python tests/sdk_interop.py target/debug/agentcred

It starts `agentcred sandbox serve --port 0` on a fresh state file (loopback only), then:

- AuthPI: the official admin SDK (`authpi-admin`) and IdP SDK (`authpi-idp`) make every call a
  credential tool needs, and each succeeds and parses into the SDK's own models: who-am-I (with
  `organizations`), agent create/list/get/update, secret verifier create/list, the
  client-credentials grant, user info, the Core API's token introspection, revocation. The
  access token verifies with PyJWT using the JWKS named by the OIDC discovery document and
  `audience=<agent id>`, as AuthPI's validate-tokens guide writes it; after revocation the
  token is inactive at both introspection endpoints and user info refuses it.
- FluxA: the verifier of FluxA's JWT guide (`PyJWKClient(jwks_url)` +
  `jwt.decode(..., algorithms=["RS256"])`) verifies a sandbox login JWT; a new agent's wallet
  answers 403 `agent_not_authorized` with an authorization URL whose page approves it.

Prints one line per check and a closing `N passed, M failed` line; exits non-zero on a failure.
"""

import asyncio
import os
import subprocess
import sys
import tempfile
import time

import httpx
import jwt
from authpi_admin import AuthPIAdmin
from authpi_admin.generated.models import Agent, CallerIdentity
from authpi_idp import IdpClientSync, OAuthError, UserInfo

DEMO_KEY = ("key_sandbox", "sandbox-demo-key-secret")
ISSUER_ID = "i_sandbox"

results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(f"{'ok  ' if condition else 'FAIL'} {name}{'' if condition else ': ' + str(detail)}")
    sys.stdout.flush()


def start_sandbox(binary, home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTCRED_")}
    env["AGENTCRED_HOME"] = home
    proc = subprocess.Popen(
        [binary, "sandbox", "serve", "--port", "0", "--state", os.path.join(home, "state.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    urls = {}
    while "AGENTCRED_PROXY_URL" not in urls:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("sandbox serve exited before printing its URLs")
        var, _, url = line.strip().partition("=")
        urls[var] = url
    return proc, urls


async def authpi_admin_side(core_url):
    """The operator's side with the admin SDK: an agent with a secret verifier."""
    async with AuthPIAdmin(api_key=DEMO_KEY, base_url=core_url) as admin:
        me = await admin.whoami()
        identity = CallerIdentity(**me)
        check("admin: whoami parses as CallerIdentity", identity.type == "api_key", me)
        check("admin: whoami has organizations", isinstance(me.get("organizations"), list), me)

        # No account_id given: the SDK resolves it through GET /v1/me.
        issuer = admin.issuer(ISSUER_ID)
        agent = await issuer.agents.create(
            {"name": "interop-agent", "scopes": ["tickets:read", "tickets:triage"], "model": "m"}
        )
        check("admin: create agent", isinstance(agent, Agent) and agent.id.startswith("agt_"), agent)
        page = await issuer.agents.list(limit=10)
        check("admin: list agents", any(a.id == agent.id for a in page.data), page)
        got = await issuer.agent(agent.id).get()
        check("admin: get agent (with ETag)", got.id == agent.id and got._etag, got)
        updated = await issuer.agent(agent.id).update({"description": "interop"}, if_match=got._etag)
        check("admin: update agent with If-Match", updated.description == "interop", updated)
        verifier = await issuer.agent(agent.id).verifiers.create({"type": "secret", "name": "interop"})
        check("admin: create secret verifier", verifier.secret and verifier.type == "secret", verifier)
        verifiers = await issuer.agent(agent.id).verifiers.list()
        check("admin: list verifiers, no secret", len(verifiers.data) == 1, verifiers)
        return agent.id, verifier.secret


async def authpi_core_introspect(core_url, token):
    async with AuthPIAdmin(api_key=DEMO_KEY, base_url=core_url) as admin:
        return await admin.issuer(ISSUER_ID).tokens.introspect({"token": token})


def authpi(urls):
    core_url = urls["AGENTCRED_AUTHPI_URL"]
    issuer_url = f"{urls['AGENTCRED_AUTHPI_IDP_URL']}/{ISSUER_ID}"
    agent_id, secret = asyncio.run(authpi_admin_side(core_url))

    config = httpx.get(f"{issuer_url}/.well-known/openid-configuration").json()
    check("idp: discovery names this issuer", config.get("issuer") == issuer_url, config)
    for field in ["token_endpoint", "jwks_uri", "revocation_endpoint", "introspection_endpoint"]:
        check(f"idp: discovery has {field}", str(config.get(field, "")).startswith(issuer_url), config)

    with IdpClientSync(issuer_url=issuer_url, client_id=agent_id, client_secret=secret) as idp:
        authenticated = idp.client_credentials(scopes=["tickets:read"])
        token = authenticated.tokens.access_token
        check("idp: client_credentials", authenticated.id == agent_id and token, authenticated)
        check("idp: token scope", authenticated.tokens.scope == "tickets:read", authenticated.tokens)

        # AuthPI's validate-tokens guide: the JWKS from discovery, the agent id as audience.
        jwks_client = jwt.PyJWKClient(config["jwks_uri"])
        signing_key = jwks_client.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["ES256", "EdDSA", "RS256"],
            audience=agent_id,
            issuer=issuer_url,
        )
        check("pyjwt: access token verifies with audience=<agent id>", claims["sub"] == agent_id, claims)
        algs = sorted(k["alg"] for k in httpx.get(config["jwks_uri"]).json()["keys"])
        check("idp: JWKS has ES256, EdDSA and RS256", algs == ["ES256", "EdDSA", "RS256"], algs)
        for key in jwt.PyJWKClient(config["jwks_uri"]).get_signing_keys():
            check(f"pyjwt: JWKS key {key.key_id} ({key.algorithm_name}) usable", key.key is not None)
        with_resource = httpx.post(
            config["token_endpoint"],
            data={
                "grant_type": "client_credentials",
                "client_id": agent_id,
                "client_secret": secret,
                "resource": "https://api.example.com",
            },
        ).json()["access_token"]
        claims = jwt.decode(
            with_resource,
            jwks_client.get_signing_key_from_jwt(with_resource).key,
            algorithms=["ES256"],
            audience="https://api.example.com",
        )
        check("pyjwt: resource= gives that audience", claims["aud"] == "https://api.example.com", claims)

        info = idp.get_user_info(authenticated)
        check("idp: user info parses", isinstance(info, UserInfo) and info.sub == agent_id, info)

        def introspect_at_idp(t):
            return httpx.post(config["introspection_endpoint"], data={"token": t}, auth=(agent_id, secret)).json()

        active = introspect_at_idp(token)
        check("idp: introspection active", active.get("active") is True and active.get("sub") == agent_id, active)
        core = asyncio.run(authpi_core_introspect(core_url, token))
        check("admin: tokens.introspect active", core.get("active") is True, core)

        idp.revoke_token(token, token_type_hint="access_token")
        check("idp: revoke_token", True)
        idp.revoke_token(token)
        check("idp: revoke_token again (RFC 7009: 200)", True)
        check("idp: revoked token inactive", introspect_at_idp(token) == {"active": False}, introspect_at_idp(token))
        core = asyncio.run(authpi_core_introspect(core_url, token))
        check("admin: revoked token inactive", core.get("active") is False, core)
        try:
            idp.get_user_info(authenticated)
            check("idp: user info refuses a revoked token", False, "accepted")
        except OAuthError:
            check("idp: user info refuses a revoked token", True)
        again = idp.client_credentials(scopes=["tickets:read"])
        check("idp: a new token after revocation", introspect_at_idp(again.tokens.access_token)["active"] is True)


def fluxa(urls):
    agentid = urls["AGENTCRED_FLUXA_AGENTID_URL"]
    wallet = urls["AGENTCRED_FLUXA_WALLET_URL"]
    reg = httpx.post(f"{agentid}/register", json={"agent_name": "interop", "client_info": "sdk-interop"}).json()
    token = reg["jwt"]

    # FluxA's JWT verification guide.
    jwks_client = jwt.PyJWKClient(f"{agentid}/.well-known/jwks.json")
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    payload = jwt.decode(token, signing_key.key, algorithms=["RS256"])
    check("pyjwt: FluxA login JWT verifies (RS256)", payload["agent_id"] == reg["agent_id"], payload)
    check("fluxa: kid agent-did-key", jwt.get_unverified_header(token)["kid"] == "agent-did-key")
    pem = httpx.get(f"{agentid}/public-key.pem").text
    payload = jwt.decode(token, pem, algorithms=["RS256"])
    check("pyjwt: FluxA login JWT verifies with public-key.pem", payload["agent_id"] == reg["agent_id"])

    headers = {"Authorization": f"Bearer {token}"}
    refused = httpx.get(f"{wallet}/api/agent/self/status", headers=headers)
    body = refused.json()
    check("fluxa: a new agent is not authorized", refused.status_code == 403 and body.get("code") == "agent_not_authorized", body)
    url = body.get("authorizationUrl", "")
    page = httpx.get(url)
    check("fluxa: the authorization page is HTML with a form", "<form" in page.text, page.text[:200])
    approved = httpx.post(url.split("?")[0], data={"agentId": reg["agent_id"], "action": "approve"})
    check("fluxa: the page's Approve button", approved.status_code == 200, approved.status_code)
    status = httpx.get(f"{wallet}/api/agent/self/status", headers=headers).json()
    check("fluxa: approved and funded", status["agent"]["isAuthorized"] and status["mandates"]["total"] > 0, status)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/debug/agentcred"
    with tempfile.TemporaryDirectory() as home:
        proc, urls = start_sandbox(binary, home)
        try:
            for part in (authpi, fluxa):
                try:
                    part(urls)
                except Exception as e:  # a crash is a failed check, reported with the rest
                    check(f"{part.__name__}: no exception", False, repr(e))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not results else 0)


if __name__ == "__main__":
    main()
