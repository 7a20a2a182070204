// A local stand-in for what no real server here can show: Salesforce's exact token
// responses and error bodies, and misbehaving endpoints (HTML pages, a server that never
// answers, a body of many megabytes, redirects). Listens on 127.0.0.1 and prints
// "READY <port>". The Salesforce scenario is chosen by the Consumer Key (client_id).
// GET /__stats answers how many requests each path received.
import crypto from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// Every knowledge-base entry gets endpoints that answer with its documented example at the
// entry's first stage, and healthily before it: /kb/<id>/authorize, /kb/<id>/token, /kb/<id>/me.
const kbDir = path.join(here, "../../crates/core/knowledge");
const knowledge = readdirSync(kbDir)
  .filter((f) => f.endsWith(".json"))
  .flatMap((f) => JSON.parse(readFileSync(path.join(kbDir, f), "utf8")).entries ?? []);

const SF_SECRET = "sf-secret";
const sfErrors = {
  "sf-wrong-domain": ["invalid_grant", "request not supported on this domain"],
  "sf-no-user": ["invalid_grant", "no client credentials user enabled"],
  "sf-bad-key": ["invalid_client_id", "client identifier invalid"],
  "sf-no-flow": ["unsupported_grant_type", "grant type not supported"],
};
const stats = {};
const issued = new Set();
const hanging = new Set();
let port = 0;

function json(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req) {
  let data = "";
  for await (const chunk of req) data += chunk;
  if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(data || "{}");
  return Object.fromEntries(new URLSearchParams(data));
}

function bearer(req) {
  const h = req.headers.authorization ?? "";
  return h.startsWith("Bearer ") && issued.has(h.slice(7));
}

function jwt(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.sig`;
}

function token(prefix) {
  const t = `${prefix}-${Math.random().toString(36).slice(2)}`;
  issued.add(t);
  return t;
}

const routes = {
  // The authorization page, as Salesforce shows it before anyone signs in: its sign-in page
  // for a known app and its Callback URL, its error page (in the URL) otherwise.
  "GET /services/oauth2/authorize": (req, res) => {
    const q = new URL(req.url, "http://x").searchParams;
    const fail = (error, description) => {
      const page = new URL(`http://127.0.0.1:${port}/setup/secur/RemoteAccessErrorPage.apexp`);
      page.searchParams.set("error", error);
      page.searchParams.set("error_description", description);
      res.writeHead(302, { location: page.toString() });
      res.end();
    };
    if (q.get("client_id") !== "sf-good") return fail("invalid_client_id", "client identifier invalid");
    if (!/^http:\/\/127\.0\.0\.1:\d+\/callback$/.test(q.get("redirect_uri") ?? ""))
      return fail("redirect_uri_mismatch", "redirect_uri must match configuration");
    res.writeHead(302, { location: `/?startURL=${encodeURIComponent(req.url)}` });
    res.end();
  },
  "POST /services/oauth2/token": async (req, res) => {
    const body = await readBody(req);
    if (body.grant_type === "urn:ietf:params:oauth:grant-type:jwt-bearer") return jwtBearer(res, body.assertion);
    // A new org blocks the username-password flow: Salesforce answers as for a wrong password.
    if (body.grant_type === "password")
      return json(res, 400, { error: "invalid_grant", error_description: "authentication failure" });
    const id = body.client_id;
    if (body.grant_type === "authorization_code") {
      if (id !== "sf-good")
        return json(res, 400, { error: "invalid_client_id", error_description: "client identifier invalid" });
      return json(res, 400, { error: "invalid_grant", error_description: "invalid authorization code" });
    }
    if (sfErrors[id]) return json(res, 400, { error: sfErrors[id][0], error_description: sfErrors[id][1] });
    if (id !== "sf-good")
      return json(res, 400, { error: "invalid_client_id", error_description: "client identifier invalid" });
    if (body.client_secret !== SF_SECRET)
      return json(res, 400, { error: "invalid_client", error_description: "invalid client credentials" });
    if (body.grant_type !== "client_credentials")
      return json(res, 400, { error: "unsupported_grant_type", error_description: "grant type not supported" });
    json(res, 200, {
      access_token: token("00Dstandin!AQ"),
      signature: "c2lnbmF0dXJl",
      scope: "api",
      instance_url: `http://127.0.0.1:${port}`,
      id: `http://127.0.0.1:${port}/id/00Dstandin/005standin`,
      token_type: "Bearer",
      issued_at: String(Date.now()),
    });
  },
  "POST /services/oauth2/introspect": async (req, res) => {
    const body = await readBody(req);
    if (body.client_id !== "sf-good" || body.client_secret !== SF_SECRET)
      return json(res, 401, { error: "invalid_client" });
    if (!issued.has(body.token)) return json(res, 200, { active: false });
    json(res, 200, {
      active: true,
      scope: "api",
      client_id: "sf-good",
      token_type: "access_token",
      exp: Math.floor(Date.now() / 1000) + 7200,
    });
  },
  "GET /services/data/": (req, res) => {
    if (!bearer(req))
      return json(res, 401, [{ errorCode: "INVALID_SESSION_ID", message: "Session expired or invalid" }]);
    json(res, 200, [
      { label: "Summer '24", url: "/services/data/v61.0", version: "61.0" },
      { label: "Winter '25", url: "/services/data/v62.0", version: "62.0" },
    ]);
  },
  "GET /services/data/v62.0/limits": (req, res) => {
    if (!bearer(req))
      return json(res, 401, [{ errorCode: "INVALID_SESSION_ID", message: "Session expired or invalid" }]);
    json(res, 200, { DailyApiRequests: { Max: 15000, Remaining: 14990 } });
  },
  "POST /json/token": async (req, res) => {
    if (!(req.headers["content-type"] ?? "").includes("application/json"))
      return json(res, 415, { error: "invalid_request", error_description: "send JSON" });
    const body = await readBody(req);
    if (body.grant_type !== "client_credentials" || body.client_secret !== "json-secret")
      return json(res, 401, { error: "invalid_client" });
    json(res, 200, { access_token: token("json"), token_type: "bearer", expires_in: 900 });
  },
  "POST /custom/token": async (req, res) => {
    await readBody(req);
    json(res, 200, { accessToken: token("custom"), tokenType: "Bearer", expires_in: "1800" });
  },
  "POST /jwt/token": async (req, res) => {
    await readBody(req);
    const t = jwt({ sub: "machine", exp: Math.floor(Date.now() / 1000) + 5400 });
    issued.add(t);
    json(res, 200, { access_token: t, token_type: "Bearer" });
  },
  "POST /html/token": async (req, res) => {
    await readBody(req);
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>");
  },
  "POST /redirect/token": async (req, res) => {
    await readBody(req);
    res.writeHead(302, { location: "https://login.example.com/services/oauth2/token" });
    res.end();
  },
  "POST /slow/token": (req, res) => {
    hanging.add(res); // accepted, never answered
  },
  "POST /huge/token": async (req, res) => {
    await readBody(req);
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = Buffer.alloc(1024 * 1024, "a");
    let sent = 0;
    res.write('{"access_token":"');
    const more = () => {
      while (sent < 20) {
        sent++;
        if (!res.write(chunk)) return res.once("drain", more);
      }
      res.end('"}');
    };
    res.on("error", () => {});
    more();
  },
  "POST /future/token": async (req, res) => {
    await readBody(req);
    // A token issued two hours "ahead": what a machine whose clock is behind sees.
    const now = Math.floor(Date.now() / 1000);
    const t = jwt({ sub: "machine", iat: now + 7200, nbf: now + 7200, exp: now + 10800 });
    issued.add(t);
    json(res, 200, { access_token: t, token_type: "Bearer" });
  },
  "GET /forbidden": (req, res) => {
    json(res, 403, [{ errorCode: "API_DISABLED_FOR_ORG", message: "The REST API is not enabled for this user" }]);
  },
  "GET /me": (req, res) => {
    if (!bearer(req)) return json(res, 401, { error: "invalid_token" });
    json(res, 200, { sub: "machine", query: Object.fromEntries(new URL(req.url, "http://x").searchParams) });
  },
  "GET /me/other-port": (req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${port + 1}/me` });
    res.end();
  },
  "GET /me/elsewhere": (req, res) => {
    res.writeHead(302, { location: `http://localhost:${port}/me` });
    res.end();
  },
};

// The JWT bearer flow as Salesforce documents it: an RS256 JWT signed with the key of the
// certificate uploaded to the app (SF_JWT_CERT, a PEM file), iss the Consumer Key, aud the
// login host, sub a pre-authorized user, exp at most 3 minutes ahead.
const SF_JWT_USER = "integration@acme.example";
function jwtBearer(res, assertion) {
  const fail = (error, description) => json(res, 400, { error, error_description: description });
  const parts = String(assertion ?? "").split(".");
  if (parts.length !== 3) return fail("invalid_grant", "invalid assertion");
  const [head, claims] = parts.slice(0, 2).map((p) => {
    try {
      return JSON.parse(Buffer.from(p, "base64url").toString());
    } catch {
      return null;
    }
  });
  if (!head || !claims || head.alg !== "RS256") return fail("invalid_grant", "invalid assertion");
  // Every certificate uploaded (the file may hold several).
  const certs = process.env.SF_JWT_CERT
    ? (readFileSync(process.env.SF_JWT_CERT, "utf8").match(
        /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g,
      ) ?? [])
    : [];
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!certs.some((c) => crypto.verify("RSA-SHA256", signed, c, Buffer.from(parts[2], "base64url"))))
    return fail("invalid_grant", "invalid assertion");
  if (claims.iss !== "sf-good") return fail("invalid_client_id", "client identifier invalid");
  if (!["https://login.salesforce.com", "https://test.salesforce.com"].includes(claims.aud))
    return fail("invalid_grant", "audience is invalid");
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== "number" || claims.exp < now || claims.exp > now + 300)
    return fail("invalid_grant", "invalid assertion");
  if (claims.sub !== SF_JWT_USER) return fail("invalid_grant", "user hasn't approved this consumer");
  json(res, 200, {
    access_token: token("00Dstandin!JWT"),
    scope: "api",
    instance_url: `http://127.0.0.1:${port}`,
    id: `http://127.0.0.1:${port}/id/00Dstandin/005jwt`,
    token_type: "Bearer",
  });
}

// TLS=1 serves https with a self-signed certificate (for the "unknown authority" finding).
const tls =
  process.env.TLS === "1"
    ? {
        cert: readFileSync(path.join(here, "certs/self-signed.crt")),
        key: readFileSync(path.join(here, "certs/self-signed.key")),
      }
    : null;
// Endpoints that echo the request back, as some gateways and debug servers do: what they
// echo must never reach a file, a log, an output or a report of OAuth Desk's.
async function rawBody(req) {
  let data = "";
  for await (const chunk of req) data += chunk;
  return data;
}
// Lifetimes no one meant: far beyond any date (as numbers and as strings), and negative.
const oddLifetimes = { big: 1e300, "big-string": "99999999999999999999", negative: -1e18, huge: 1e16 };
for (const [name, expires_in] of Object.entries(oddLifetimes)) {
  routes[`POST /lifetime/${name}/token`] = async (req, res) => {
    await rawBody(req);
    json(res, 200, { access_token: token("odd"), token_type: "Bearer", expires_in });
  };
}

// A gateway that fails (an HTML page with a 502 or 503, as proxies send) and a provider
// that limits requests (429, RFC 6585 §4): none of these is a wrong token URL.
for (const status of [502, 503]) {
  routes[`POST /gateway/${status}/token`] = async (req, res) => {
    await rawBody(req);
    res.writeHead(status, { "content-type": "text/html", "retry-after": "30" });
    res.end(`<html><body><h1>${status} Bad Gateway</h1><p>nginx</p></body></html>`);
  };
}
routes["POST /limited/token"] = async (req, res) => {
  await rawBody(req);
  json(res, 429, { error: "too_many_requests", error_description: "rate limit exceeded" }, { "retry-after": "60" });
};

// A provider that can end every session at once (as an admin revoking them would): a cached
// token is then refused with Salesforce's INVALID_SESSION_ID.
const sessions = new Set();
Object.assign(routes, {
  "POST /session/token": async (req, res) => {
    await rawBody(req);
    const t = token("sess");
    sessions.add(t);
    json(res, 200, { access_token: t, token_type: "Bearer", expires_in: 3600 });
  },
  "GET /session/me": (req, res) => {
    const h = req.headers.authorization ?? "";
    if (sessions.has(h.slice(7))) return json(res, 200, { ok: true });
    json(res, 401, [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]);
  },
  "POST /session/revoke-all": (req, res) => {
    sessions.clear();
    json(res, 200, { revoked: true });
  },
});
Object.assign(routes, {
  "POST /echo/form/token": async (req, res) => {
    const body = await rawBody(req);
    res.writeHead(400, { "content-type": "text/plain" });
    res.end(`cannot parse request: ${body}`);
  },
  "POST /echo/headers/token": async (req, res) => {
    await rawBody(req);
    json(res, 500, { error: "server_error", request: { headers: req.headers } });
  },
  "POST /echo/description/token": async (req, res) => {
    const body = await rawBody(req);
    json(res, 401, {
      error: "invalid_client",
      error_description: `client authentication failed for ${req.headers.authorization ?? "no header"} and ${body}`,
    });
  },
  "POST /echo/form-token/token": async (req, res) => {
    await rawBody(req);
    res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" });
    res.end(`access_token=${token("formtok")}&token_type=bearer&expires_in=600&scope=api`);
  },
  "POST /echo/numeric/token": async (req, res) => {
    await rawBody(req);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      `{"access_token": ${1000000000000 + Math.floor(Math.random() * 1e9)}, "token_type": "Bearer", "expires_in": 600}`,
    );
  },
  "GET /echo/me": (req, res) => {
    json(res, 401, {
      error: "invalid_token",
      error_description: `not accepted: ${req.headers.authorization}`,
      seen: req.headers,
    });
  },
});

// Sends an entry's example, with {redirect_uri} and {state} taken from the request.
function example(res, ex, query) {
  const fill = (text) =>
    text.replaceAll("{redirect_uri}", query.get("redirect_uri") ?? "").replaceAll("{state}", query.get("state") ?? "");
  const headers = Object.fromEntries(Object.entries(ex.headers ?? {}).map(([k, v]) => [k, fill(v)]));
  res.writeHead(ex.status, headers);
  res.end(fill(ex.body ?? ""));
}

async function knowledgeEntry(req, res, id, endpoint) {
  const entry = knowledge.find((e) => e.id === id);
  const query = new URL(req.url, "http://x").searchParams;
  const params = req.method === "POST" ? await readBody(req) : {};
  if (!entry) return json(res, 404, { error: "not_found" });
  // An entry for any stage is tried where its example comes from: a redirect back to the
  // app is the authorization page's answer.
  const stage = entry.stages?.[0] ?? (entry.example.headers?.location ? "authorize" : "token");
  const healthy = { access_token: `kb-${id}-token`, token_type: "Bearer", expires_in: 3600 };
  if (endpoint === "authorize") {
    if (stage === "authorize") return example(res, entry.example, query);
    const back = new URL(query.get("redirect_uri"));
    back.searchParams.set("code", "kb-code");
    back.searchParams.set("state", query.get("state") ?? "");
    res.writeHead(302, { location: back.toString() });
    return res.end();
  }
  if (endpoint === "token") {
    if (stage === "token") return example(res, entry.example, query);
    if (stage === "refresh" && params.grant_type === "refresh_token") return example(res, entry.example, query);
    return json(res, 200, { ...healthy, refresh_token: `kb-${id}-refresh` });
  }
  if (stage === "test") return example(res, entry.example, query);
  return json(res, 200, { ok: true });
}

const handler = async (req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (path === "/__stats") return json(res, 200, stats);
  stats[path] = (stats[path] ?? 0) + 1;
  const kb = path.match(/^\/kb\/([^/]+)\/(authorize|token|me)$/);
  const route = kb ? (q, r) => knowledgeEntry(q, r, kb[1], kb[2]) : routes[`${req.method} ${path}`];
  if (!route) return json(res, 404, { error: "not_found" });
  try {
    await route(req, res);
  } catch (e) {
    json(res, 500, { error: "server_error", error_description: String(e) });
  }
};
// MTLS_CERT/MTLS_KEY: https with a certificate from a test CA; MTLS_CA: the CA whose client
// certificates it accepts (RFC 8705 tls_client_auth: the certificate's CN is the client_id).
const mtls = process.env.MTLS_CERT
  ? {
      cert: readFileSync(process.env.MTLS_CERT),
      key: readFileSync(process.env.MTLS_KEY),
      ca: readFileSync(process.env.MTLS_CA),
      requestCert: true,
      // MTLS_STRICT=1 refuses a connection without a client certificate in the handshake.
      rejectUnauthorized: process.env.MTLS_STRICT === "1",
    }
  : null;
routes["POST /mtls/token"] = async (req, res) => {
  const body = await readBody(req);
  const peer = req.socket.getPeerCertificate?.();
  if (!req.socket.authorized || !peer?.subject)
    return json(res, 401, { error: "invalid_client", error_description: "client certificate required" });
  if (peer.subject.CN !== body.client_id)
    return json(res, 401, {
      error: "invalid_client",
      error_description: "client certificate does not match client_id",
    });
  json(res, 200, { access_token: token("mtls"), token_type: "Bearer", expires_in: 3600 });
};
routes["GET /mtls/me"] = (req, res) => json(res, 200, { ok: true });
// Metadata with the mTLS aliases of RFC 8705 §5 (the TLS variant of this server's scheme).
routes["GET /.well-known/openid-configuration"] = (req, res) => {
  const base = `${mtls || tls ? "https" : "http"}://127.0.0.1:${port}`;
  json(res, 200, {
    issuer: base,
    token_endpoint: `${base}/json/token`,
    device_authorization_endpoint: `${base}/device/auth`,
    token_endpoint_auth_methods_supported: ["client_secret_basic", "tls_client_auth", "private_key_jwt"],
    mtls_endpoint_aliases: {
      token_endpoint: `${base}/mtls/token`,
      device_authorization_endpoint: `${base}/mtls/device`,
    },
  });
};
// The (legacy) password grant: alice with her password gets a token. The client is public:
// a client secret must never arrive here.
routes["POST /password/token"] = async (req, res) => {
  const body = await readBody(req);
  if (body.client_secret || req.headers.authorization)
    return json(res, 400, { error: "invalid_request", error_description: "unexpected client credentials" });
  if (body.grant_type !== "password" || body.client_id !== "pw-client")
    return json(res, 400, { error: "unauthorized_client" });
  if (body.username !== "alice" || body.password !== "alice-password-1")
    return json(res, 400, { error: "invalid_grant", error_description: "The user name or password is incorrect." });
  json(res, 200, { access_token: token("pw"), token_type: "Bearer", expires_in: 3600, scope: body.scope ?? "" });
};
const server = mtls
  ? https.createServer(mtls, handler)
  : tls
    ? https.createServer(tls, handler)
    : http.createServer(handler);

await new Promise((resolve) => server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", resolve));
port = server.address().port;
const stop = () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
console.log(`READY ${port}`);
