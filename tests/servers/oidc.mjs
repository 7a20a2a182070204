// A real OAuth 2.0 / OpenID Connect server for OAuth Desk's tests: npm's oidc-provider on
// 127.0.0.1 (an ephemeral port unless PORT is set). Prints "READY <port>" when it listens.
// GET /__stats answers how many requests each path received, so tests can prove that a
// cached token made no request. The server stops on SIGTERM or when its stdin closes.
import http from "node:http";
import Provider from "oidc-provider";

const clients = [
  { client_id: "cc-basic", client_secret: "basic-secret", token_endpoint_auth_method: "client_secret_basic" },
  { client_id: "cc-post", client_secret: "post-secret", token_endpoint_auth_method: "client_secret_post" },
  // Its token responses lose expires_in (see below), so expiry must come from introspection.
  { client_id: "cc-noexp", client_secret: "noexp-secret", token_endpoint_auth_method: "client_secret_basic" },
  // Client assertions (RFC 7523 §2.2): signed with the secret, or with a key whose public JWK
  // the test passes in PKJWT_JWKS (a JWKS) once OAuth Desk has made the key.
  {
    client_id: "cc-csjwt",
    client_secret: "csjwt-secret-0123456789abcdef0123456789",
    token_endpoint_auth_method: "client_secret_jwt",
  },
  // A client whose secret the test chooses, so that a restart with another one rotates it.
  ...(process.env.ROTATING_SECRET
    ? [
        {
          client_id: "cc-rotating",
          client_secret: process.env.ROTATING_SECRET,
          token_endpoint_auth_method: "client_secret_basic",
        },
      ]
    : []),
  ...(process.env.PKJWT_JWKS
    ? [
        {
          client_id: "cc-pkjwt",
          token_endpoint_auth_method: "private_key_jwt",
          jwks: JSON.parse(process.env.PKJWT_JWKS),
        },
      ]
    : []),
].map((c) => ({ ...c, grant_types: ["client_credentials"], response_types: [], redirect_uris: [], scope: "api read" }));

// Native apps (RFC 8252): a loopback redirect on any port, PKCE; one public, one confidential.
const native = {
  application_type: "native",
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  redirect_uris: ["http://127.0.0.1/callback"],
  scope: "openid offline_access api",
};
clients.push({ ...native, client_id: "native-public", token_endpoint_auth_method: "none" });
clients.push({
  ...native,
  client_id: "native-confidential",
  client_secret: "conf-secret",
  token_endpoint_auth_method: "client_secret_basic",
});

if (process.env.PKJWT_JWKS) {
  clients.push({
    ...native,
    client_id: "native-pkjwt",
    token_endpoint_auth_method: "private_key_jwt",
    jwks: JSON.parse(process.env.PKJWT_JWKS),
  });
}

// The device flow (RFC 8628): a public client that signs in on another device.
clients.push({
  client_id: "device-public",
  application_type: "native",
  token_endpoint_auth_method: "none",
  grant_types: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
  response_types: [],
  redirect_uris: [],
  scope: "openid offline_access api",
});

const stats = {};
const server = http.createServer();
await new Promise((resolve) => server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", resolve));
const { port } = server.address();

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients,
  scopes: ["openid", "offline_access", "api", "read"],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
  },
  ttl: { ClientCredentials: Number(process.env.CC_TTL ?? 600), AccessToken: Number(process.env.AT_TTL ?? 3600) },
  // Every authorization-code client that may refresh gets a refresh token.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  pkce: { required: () => false },
});

// Stands in for providers that send no expires_in.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === "/token" && ctx.oidc?.client?.clientId === "cc-noexp" && ctx.body && typeof ctx.body === "object") {
    delete ctx.body.expires_in;
  }
});

const handle = provider.callback();
server.on("request", (req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/__stats") {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(stats));
    return;
  }
  stats[path] = (stats[path] ?? 0) + 1;
  handle(req, res);
});

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
console.log(`READY ${port}`);
