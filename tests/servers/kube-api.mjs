// A stand-in Kubernetes API server for the credential plugin's test: https on an ephemeral
// 127.0.0.1 port (the self-signed test certificate; kubectl sends an exec plugin's token only
// over TLS), answering a request whose bearer token the token server still honours
// (VALIDATE_URL, asked with the same Authorization header) and refusing others with 401.
// Prints `READY <port>`; stops when its standard input closes.
import { readFileSync } from "node:fs";
import { createServer } from "node:https";

const certs = new URL("./certs/", import.meta.url);
const validate = process.env.VALIDATE_URL;

const server = createServer(
  { cert: readFileSync(new URL("self-signed.crt", certs)), key: readFileSync(new URL("self-signed.key", certs)) },
  async (req, res) => {
    const auth = req.headers.authorization ?? "";
    let ok = false;
    if (auth.startsWith("Bearer ")) {
      const answer = await fetch(validate, { headers: { authorization: auth } }).catch(() => null);
      ok = answer?.status === 200;
    }
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? { kind: "APIVersions", versions: ["v1"] } : { kind: "Status", code: 401 }));
  },
);
server.listen(0, "127.0.0.1", () => console.log(`READY ${server.address().port}`));
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
