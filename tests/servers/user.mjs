// Plays the user in place of a browser against oidc-provider's development sign-in: follows
// the authorization URL, signs in, lets consent pass (or cancels, with --deny), and delivers
// the final redirect to OAuth Desk's loopback listener. As a program:
//   node user.mjs <authorization-url> [--deny]   prints the listener's answer status.
const MAX_STEPS = 20;

function formAction(html, base) {
  const m = html.match(/<form[^>]*action="([^"]+)"/);
  return m ? new URL(m[1].replaceAll("&amp;", "&"), base).toString() : null;
}

function abortLink(html, base) {
  const m = html.match(/href="([^"]*\/abort)"/);
  return m ? new URL(m[1], base).toString() : null;
}

export async function signIn(authorizationUrl, { deny = false, login = "alice" } = {}) {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const remember = (res) => {
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const issuer = new URL(authorizationUrl).origin;
  let url = authorizationUrl;
  let method = "GET";
  let body;
  for (let step = 0; step < MAX_STEPS; step++) {
    const headers = { cookie: cookie() };
    if (body) headers["content-type"] = "application/x-www-form-urlencoded";
    if (process.env.USER_DEBUG) console.error(method, url);
    const res = await fetch(url, { method, headers, body, redirect: "manual" });
    remember(res);
    method = "GET";
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get("location"), url);
      if (next.origin !== issuer) {
        // The redirect to OAuth Desk: deliver it as the browser would.
        if (process.env.USER_DEBUG) console.error("deliver", next.toString());
        const delivered = await fetch(next, { redirect: "manual" });
        return { redirect: next.toString(), status: delivered.status, page: await delivered.text() };
      }
      url = next.toString();
      continue;
    }
    const html = await res.text();
    if (deny && abortLink(html, url)) {
      url = abortLink(html, url);
      continue;
    }
    const action = formAction(html, url);
    if (!action) throw new Error(`no form to submit at ${url} (HTTP ${res.status}): ${html.slice(0, 300)}`);
    method = "POST";
    body = html.includes('name="login"')
      ? new URLSearchParams({ prompt: "login", login, password: "any" }).toString()
      : new URLSearchParams({ prompt: "consent" }).toString();
    url = action;
  }
  throw new Error(`the sign-in did not finish in ${MAX_STEPS} steps`);
}

// Every input of a page's forms, as a browser would submit them (hidden values included).
function inputs(html) {
  const out = new URLSearchParams();
  for (const [tag] of html.matchAll(/<input[^>]*>/g)) {
    const name = tag.match(/name="([^"]+)"/)?.[1];
    if (name) out.set(name, (tag.match(/value="([^"]*)"/)?.[1] ?? "").replaceAll("&amp;", "&"));
  }
  return out;
}

// The device flow (RFC 8628) on another device: opens the verification URI (with the code),
// confirms the code, signs in, consents (or aborts, with deny), and stops at the page that
// says it is done.
export async function approveDevice(verificationUrl, { deny = false, login = "alice" } = {}) {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  let url = verificationUrl;
  let method = "GET";
  let body;
  let aborted = false;
  for (let step = 0; step < MAX_STEPS; step++) {
    const headers = { cookie: cookie() };
    if (body) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(url, { method, headers, body, redirect: "manual" });
    if (process.env.USER_DEBUG) console.error(method, url, res.status, body ?? "");
    // Declined: the provider answers the abort with a page of its own; the user stops there.
    if (aborted) return { status: res.status, aborted: true };
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(";");
      jar.set(pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1));
    }
    method = "GET";
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get("location"), url).toString();
      continue;
    }
    const html = await res.text();
    const action = formAction(html, url);
    if (!action)
      return {
        status: res.status,
        page: html
          .replace(/<[^>]+>/g, " ")
          .replace(/\s+/g, " ")
          .trim(),
      };
    const form = inputs(html);
    if (form.has("login")) {
      form.set("login", login);
      form.set("password", "any");
    }
    if (deny && html.includes('name="abort"')) {
      form.set("abort", "yes");
      aborted = true;
    }
    method = "POST";
    body = form.toString();
    url = action;
  }
  throw new Error(`the device approval did not finish in ${MAX_STEPS} steps`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const [url, ...flags] = process.argv.slice(2);
  const deny = flags.includes("--deny");
  (flags.includes("--device") ? approveDevice(url, { deny }) : signIn(url, { deny }))
    .then((r) => console.log(JSON.stringify(r)))
    .catch((e) => {
      console.error(String(e), e.cause ? String(e.cause) : "");
      process.exit(1);
    });
}
