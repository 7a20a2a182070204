// Helpers for the state layer's unit tests: a localStorage in memory, and answers that
// arrive when a test says so.
import type { ConnectionState } from "../../bindings/ConnectionState";
import type { ConnectionStatus } from "../../bindings/ConnectionStatus";

/** A connection as the core reads it: `state`, expiring at `expires_at`, nothing else set. */
export function connection(state: ConnectionStatus, expires_at: string | null = null): ConnectionState {
  return {
    state,
    expires_at,
    connected_at: null,
    last_attempt_at: null,
    last_error: null,
    certificate_expires_at: null,
    expiring_soon: false,
    expiring_soon_at: null,
    certificate_days_left: null,
    certificate_expiring: false,
  };
}

/** A localStorage kept in memory, for Node. */
export function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

/** A promise and the functions that settle it. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Every order of `items`. */
export function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}

/** Lets every settled promise's callbacks run. */
export const settle = () => new Promise((r) => setTimeout(r, 0));
