// The one typed bridge to the Rust side. Every command's arguments and result, and every
// event's payload, are declared here with the types ts-rs generates from the Rust
// definitions (src/bindings); the command and event names come from Rust as well
// (src/bindings/contract.ts). A change on either side that does not match fails
// `npm run check`.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppInfo } from "./bindings/AppInfo";
import type { Attempt } from "./bindings/Attempt";
import type { AuthorizeStarted } from "./bindings/AuthorizeStarted";
import {
  CONNECTION_STATUS_LABELS,
  EVENTS,
  EXPIRY_SOURCE_LABELS,
  STAGE_LABELS,
  type CommandName,
  type EventName,
} from "./bindings/contract";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { Need } from "./bindings/Need";
import type { ConnectResult } from "./bindings/ConnectResult";
import type { Discovery } from "./bindings/Discovery";
import type { Suggestion } from "./bindings/Suggestion";
import type { DiagnoseResult } from "./bindings/DiagnoseResult";
import type { RekeyOutcome } from "./bindings/RekeyOutcome";
import type { RevokeOutcome } from "./bindings/RevokeOutcome";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { ExportFile } from "./bindings/ExportFile";
import type { Explanation } from "./bindings/Explanation";
import type { Provider } from "./bindings/Provider";
import type { KeyInfo } from "./bindings/KeyInfo";
import type { TestAll } from "./bindings/TestAll";
import type { TokenView } from "./bindings/TokenView";
import type { TestProgress } from "./bindings/TestProgress";
import type { FieldProblem } from "./bindings/FieldProblem";
import type { CaInfo } from "./bindings/CaInfo";
import type { Unsigned } from "./bindings/Unsigned";
import type { ExportSaved } from "./bindings/ExportSaved";
import type { NewProfile } from "./bindings/NewProfile";
import type { Profile } from "./bindings/Profile";
import type { ProfileSummary } from "./bindings/ProfileSummary";
import type { ProfileChanges } from "./bindings/ProfileChanges";
import type { Template } from "./bindings/Template";
import type { ModeInfo } from "./bindings/ModeInfo";
import type { SandboxInfo } from "./bindings/SandboxInfo";

/** What each command takes and returns. */
type Commands = {
  templates: { args: Record<string, never>; result: Template[] };
  profiles_list: { args: Record<string, never>; result: ProfileSummary[] };
  profile_get: { args: { handle: string }; result: Profile };
  profile_check: { args: { profile: NewProfile; editing: boolean }; result: FieldProblem[] };
  profile_create: { args: { profile: NewProfile }; result: Profile };
  profile_update: { args: { handle: string; changes: ProfileChanges }; result: Profile };
  profile_confirm_origins: { args: { handle: string }; result: Profile };
  profile_remove: { args: { handle: string }; result: null };
  profiles_export: { args: { handles: string[] }; result: ExportFile };
  profiles_export_save: { args: { handles: string[] }; result: ExportSaved | null };
  profiles_import: { args: { json: string }; result: string[] };
  app_info: { args: Record<string, never>; result: AppInfo };
  store_rekey: { args: Record<string, never>; result: RekeyOutcome };
  profile_connect: { args: { handle: string; force: boolean }; result: ConnectResult };
  profile_history: { args: { handle: string }; result: Attempt[] };
  profiles_test_all: { args: { handles: string[] }; result: TestAll };
  profile_token_view: { args: { handle: string }; result: TokenView | null };
  profile_token_reveal: { args: { handle: string }; result: string | null };
  profile_authorize: { args: { handle: string }; result: ConnectResult };
  profile_authorize_cancel: { args: { handle: string }; result: null };
  profile_revoke: { args: { handle: string }; result: RevokeOutcome };
  profile_diagnose: { args: { handle: string }; result: DiagnoseResult };
  error_explain: { args: { text: string; provider: string | null }; result: Explanation };
  knowledge_open: { args: { entry: string }; result: boolean };
  knowledge_providers: { args: Record<string, never>; result: Provider[] };
  key_generate: { args: { handle: string; algorithm: string; bits: number | null }; result: KeyInfo };
  key_import: {
    args: { handle: string; key: string; cert: string | null; password: string | null };
    result: KeyInfo;
  };
  key_show: { args: { handle: string }; result: KeyInfo | null };
  key_remove: { args: { handle: string }; result: boolean };
  key_certificate: { args: { handle: string }; result: string };
  key_certificate_save: { args: { handle: string }; result: string | null };
  ca_import: { args: { handle: string; bundle: string }; result: CaInfo };
  ca_show: { args: { handle: string }; result: CaInfo };
  ca_remove: { args: { handle: string }; result: boolean };
  assertion_preview: { args: { handle: string }; result: Unsigned };
  discover: {
    args: { issuer: string; handle: string | null; template: string; fields: Record<string, string> };
    result: Suggestion;
  };
  sandbox_start: { args: Record<string, never>; result: SandboxInfo };
  sandbox_status: { args: Record<string, never>; result: SandboxInfo | null };
  sandbox_mode: { args: { mode: string | null }; result: SandboxInfo };
  sandbox_stop: { args: Record<string, never>; result: null };
  bench_mark: { args: Record<string, never>; result: null };
};

/** What each event carries. */
type Events = {
  /** A renewal in the background changed this profile's connection; the payload is its handle. */
  [EVENTS.connectionChanged]: string;
  /** Another process (the command line) changed the store. */
  [EVENTS.storeChanged]: null;
  [EVENTS.authorizeStarted]: AuthorizeStarted;
  [EVENTS.testProgress]: TestProgress;
};

/**
 * `"ok"` only when `Declared` (the keys of a map above) and `Rust` (the names Rust registers)
 * are the same set; otherwise an object type naming the differences, which `"ok"` is not
 * assignable to, so `npm run check` fails and says which names.
 */
type SameNames<Declared extends PropertyKey, Rust extends PropertyKey> = [
  Exclude<Rust, Declared>,
  Exclude<Declared, Rust>,
] extends [never, never]
  ? "ok"
  : { missingHere: Exclude<Rust, Declared>; unknownToRust: Exclude<Declared, Rust> };

// Every command Rust registers has an entry in `Commands`, and every entry is registered;
// the same for the events.
const commandsMatchRust: SameNames<keyof Commands, CommandName> = "ok";
const eventsMatchRust: SameNames<keyof Events, EventName> = "ok";

/** A failed command: `code` for logic, `message` for people, `field` for the form. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly payload: ErrorPayload;
  constructor(p: ErrorPayload) {
    super(p.message);
    this.code = p.code;
    this.field = p.field;
    this.payload = p;
  }
}

function isPayload(e: unknown): e is ErrorPayload {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

export async function call<K extends keyof Commands>(
  cmd: K,
  ...args: Commands[K]["args"] extends Record<string, never> ? [] : [Commands[K]["args"]]
): Promise<Commands[K]["result"]> {
  try {
    return await invoke<Commands[K]["result"]>(cmd, args[0] ?? {});
  } catch (e) {
    throw isPayload(e) ? new ApiError(e) : new ApiError({ code: "internal", message: String(e) });
  }
}

/**
 * Calls `handler` with the payload of every `event` the Rust side emits, until the returned
 * function is called.
 */
export function onEvent<E extends EventName>(event: E, handler: (payload: Events[E]) => void): Promise<UnlistenFn> {
  return listen<Events[E]>(event, (e) => handler(e.payload));
}

/**
 * What to do in the window about something a profile lacks. The core says only what is
 * missing (`need`); the command line gives its own advice for the same need.
 */
const NEED_ADVICE = {
  client_secret: "Set the client secret with Edit.",
  sign_in: "Sign in with Authorize.",
  no_sign_in: "Use Connect to get a token.",
  confirm_origin:
    "If you made or expected the change, confirm it on the profile (Review and confirm…); nothing is sent there before.",
  key: "Generate or import a key under Keys and certificates, and upload its certificate to the provider.",
  data_key:
    "Put the keyring item back and everything opens again; or start over with a new key with Rotate key…, which drops every secret, token and private key sealed under the lost one.",
} as const satisfies Record<Need, string>;

/** A failure's message for people, with what to do in the window when something is missing. */
export function payloadMessage(p: ErrorPayload): string {
  return p.need ? `${p.message}. ${NEED_ADVICE[p.need]}` : p.message;
}

/** What to tell a person about a failure caught in the window. */
export function errorMessage(e: unknown): string {
  return e instanceof ApiError ? payloadMessage(e.payload) : String(e);
}

export { CONNECTION_STATUS_LABELS, EVENTS, EXPIRY_SOURCE_LABELS, STAGE_LABELS };
export type { CommandName, EventName };
export type {
  AppInfo,
  Attempt,
  AuthorizeStarted,
  ConnectResult,
  DiagnoseResult,
  Discovery,
  Suggestion,
  ErrorPayload,
  ExportFile,
  Explanation,
  Provider,
  KeyInfo,
  TestAll,
  TokenView,
  CaInfo,
  Unsigned,
  RevokeOutcome,
  NewProfile,
  Profile,
  ProfileSummary,
  ProfileChanges,
  Template,
  ModeInfo,
  SandboxInfo,
};
export type { FieldSpec } from "./bindings/FieldSpec";
