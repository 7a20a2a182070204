// Where the window is: what the main pane shows. Every panel that opens another, and every
// shortcut, goes through here; the profile shown is remembered across launches.

export type View =
  | { kind: "empty" }
  | { kind: "show"; handle: string }
  | { kind: "create" }
  | { kind: "edit"; handle: string }
  | { kind: "explain" }
  | { kind: "test-all"; handles: string[] }
  | { kind: "radar" }
  | { kind: "sandbox"; tryIt: boolean };

const SELECTED = "oauthdesk.selected";

export class Nav {
  #view = $state<View>({ kind: "empty" });
  /**
   * A form with changes not yet saved: while this says so, leaving the form waits in
   * `pending` until the person discards the changes or keeps editing.
   */
  unsaved: (() => boolean) | null = null;
  /** Where the window was asked to go while a form held unsaved changes. */
  pending = $state<View | null>(null);
  /**
   * What takes the focus once the next view is drawn: the profile's heading after a save,
   * the form's first field when a form is asked for (even the one already open).
   */
  focus = $state<"heading" | "form" | null>(null);

  get view(): View {
    return this.#view;
  }
  set view(to: View) {
    if (this.unsaved?.() && !sameView(this.#view, to)) {
      this.pending = to;
      return;
    }
    this.pending = null;
    this.unsaved = null;
    this.#view = to;
    if (to.kind === "show") localStorage.setItem(SELECTED, to.handle);
  }
  /** Leaves the form as asked, its changes lost. */
  discard() {
    const to = this.pending;
    this.unsaved = null;
    this.pending = null;
    if (to) this.view = to;
  }
  /** Stays in the form. */
  keep() {
    this.pending = null;
  }
  /** The profile the main pane is about (shown or edited), or null. */
  readonly selectedHandle = $derived(this.view.kind === "show" || this.view.kind === "edit" ? this.view.handle : null);

  /** Starts on the profile selected when the window last closed, if `exists` says it is still there. */
  constructor(exists: (handle: string) => boolean) {
    const last = localStorage.getItem(SELECTED);
    if (last && exists(last)) this.#view = { kind: "show", handle: last };
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
  }
  edit(handle: string) {
    this.view = { kind: "edit", handle };
    if (this.pending === null) this.focus = "form";
  }
  create() {
    this.view = { kind: "create" };
    if (this.pending === null) this.focus = "form";
  }
  explain() {
    this.view = { kind: "explain" };
  }
  /** Test the profiles named, or every profile when none are. */
  testAll(handles: string[]) {
    this.view = { kind: "test-all", handles };
  }
  /** What will break next. */
  radar() {
    this.view = { kind: "radar" };
  }
  sandbox(tryIt: boolean) {
    this.view = { kind: "sandbox", tryIt };
  }
  close() {
    this.view = { kind: "empty" };
  }
}

function sameView(a: View, b: View): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
