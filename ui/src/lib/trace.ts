// The redacted HTTP trace of a diagnosis, as text: read from the diagnosis's typed entries
// (the same the support report is written from), laid out as the report lays it out, so
// the window and a pasted report read alike.
import type { TraceEntry } from "../bindings/TraceEntry";

/** Each request and its answer (or why there was none), in the order they were made. */
export function traceText(trace: TraceEntry[]): string {
  const out = ["## HTTP trace (redacted)", ""];
  for (const t of trace) {
    out.push(`### ${t.stage} ${t.method} ${t.url}`, "", "```http", `${t.method} ${t.url}`);
    out.push(...t.request_headers.map(([k, v]) => `${k}: ${v}`));
    if (t.request_body !== null) out.push("", t.request_body);
    out.push("```", "", "```http");
    out.push(t.status !== null ? `HTTP ${t.status} (${t.elapsed_ms} ms)` : `no answer: ${t.error ?? "?"}`);
    out.push(...t.response_headers.map(([k, v]) => `${k}: ${v}`));
    if (t.response_body !== null) out.push("", t.response_body);
    out.push("```", "");
  }
  return out.join("\n") + "\n";
}
