// Where the window is: what the main pane shows. Every panel that opens another, and every
// shortcut, goes through here; the profile shown is remembered across launches.

export type View =
  | { kind: "empty" }
  | { kind: "show"; handle: string }
  | { kind: "create" }
  | { kind: "edit"; handle: string }
  | { kind: "explain" }
  | { kind: "test-all"; handles: string[] }
  | { kind: "sandbox"; tryIt: boolean };

const SELECTED = "oauthdesk.selected";

export class Nav {
  view = $state<View>({ kind: "empty" });
  /** The profile the main pane is about (shown or edited), or null. */
  readonly selectedHandle = $derived(this.view.kind === "show" || this.view.kind === "edit" ? this.view.handle : null);

  /** Starts on the profile selected when the window last closed, if `exists` says it is still there. */
  constructor(exists: (handle: string) => boolean) {
    const last = localStorage.getItem(SELECTED);
    if (last && exists(last)) this.view = { kind: "show", handle: last };
  }

  /** The profile to diagnose as its view opens (a failure's Diagnose button elsewhere). */
  diagnoseOnOpen = $state<string | null>(null);

  /** Opens the profile and diagnoses it. */
  diagnose(handle: string) {
    this.diagnoseOnOpen = handle;
    this.show(handle);
  }

  show(handle: string) {
    this.view = { kind: "show", handle };
    localStorage.setItem(SELECTED, handle);
  }
  edit(handle: string) {
    this.view = { kind: "edit", handle };
  }
  create() {
    this.view = { kind: "create" };
  }
  explain() {
    this.view = { kind: "explain" };
  }
  /** Test the profiles named, or every profile when none are. */
  testAll(handles: string[]) {
    this.view = { kind: "test-all", handles };
  }
  sandbox(tryIt: boolean) {
    this.view = { kind: "sandbox", tryIt };
  }
  close() {
    this.view = { kind: "empty" };
  }
}
