// The profiles as the window knows them: the list, the selected profile read whole, and the
// app's facts. Every read of the store goes through here, so that
// - reads are sequenced: an answer older than the latest read is dropped, never shown over
//   a newer one (a slow read begun before a save would show the profile as it was);
// - the Rust side's events (a renewal in the background, the command line changing the
//   store) refresh the list and the selected profile in one place;
// - a profile removed elsewhere closes its panel.
import { untrack } from "svelte";
import {
  ApiError,
  call,
  errorMessage,
  EVENTS,
  onEvent,
  type AppInfo,
  type Profile,
  type ProfileSummary,
} from "../../api";
import type { Template } from "../../api";
import type { Start } from "../../start";
import { Nav } from "./nav.svelte";

export class Profiles {
  // Replaced whole, never changed in place: raw state, so a thousand profiles are not made
  // a thousand deeply reactive proxies just to be listed.
  list = $state.raw<ProfileSummary[]>([]);
  templates = $state.raw<Template[]>([]);
  info = $state.raw<AppInfo | null>(null);
  /** Why the last read failed, for people, or "". */
  loadError = $state("");
  /** What the last save said of a team profile's file (written, or why not), for its view. */
  teamNote = $state.raw<{ handle: string; text: string } | null>(null);
  // The selected profile, whole (its fields, its secret's state): read when it is chosen, and
  // again with the list, so its panel and its badge show the same read.
  #current = $state.raw<Profile | null>(null);
  // Reads of the selected profile are numbered: only the latest one's answer is shown.
  #reads = 0;

  readonly nav: Nav;
  /** The selected profile as last read, once read (undefined while its read is under way). */
  readonly selected = $derived.by(() =>
    this.#current !== null && this.#current.handle === this.nav.selectedHandle ? this.#current : undefined,
  );

  constructor(start: Start) {
    this.list = start.profiles;
    this.templates = start.templates;
    this.info = start.info;
    this.loadError = start.error;
    this.nav = new Nav((handle) => start.profiles.some((p) => p.handle === handle));
  }

  templateName(id: string): string {
    return this.templates.find((t) => t.id === id)?.name ?? id;
  }

  template(id: string): Template | undefined {
    return this.templates.find((t) => t.id === id);
  }

  /**
   * Keeps the window current while the shell is mounted: choosing another profile reads it,
   * and the Rust side's events read everything again. Called once, as the shell is made.
   */
  follow() {
    $effect(() => {
      const handle = this.nav.selectedHandle;
      if (handle !== null && untrack(() => this.#current?.handle) !== handle) void this.#readSelected(handle);
    });
    // Renewals made in the background change badges and countdowns; so do the command
    // line's changes to the same store.
    $effect(() => {
      const unlisten = [
        onEvent(EVENTS.connectionChanged, () => void this.refresh()),
        onEvent(EVENTS.storeChanged, () => void this.refresh()),
      ];
      return () => unlisten.forEach((u) => void u.then((f) => f()));
    });
  }

  /** Reads the list and the selected profile again. */
  async refresh() {
    const read = ++this.#reads;
    const handle = this.nav.selectedHandle;
    try {
      const [list, one] = await Promise.all([call("profiles_list"), getProfile(handle)]);
      this.list = list;
      if (read === this.#reads) this.#show(handle, one);
      this.loadError = "";
    } catch (e) {
      this.loadError = errorMessage(e);
    }
  }

  /** A profile just saved (created or edited): shown as saved, then everything is read again. */
  async saved(p: Profile, teamNote = "") {
    this.teamNote = teamNote ? { handle: p.handle, text: teamNote } : null;
    this.#reads++; // a read begun before the save would show the profile as it was
    this.#current = p;
    this.nav.show(p.handle);
    await this.refresh();
  }

  /** The selected profile was removed: the list is read again and the pane closes. */
  async removed() {
    await this.refresh();
    this.nav.close();
  }

  async #readSelected(handle: string) {
    const read = ++this.#reads;
    try {
      const one = await getProfile(handle);
      if (read === this.#reads) this.#show(handle, one);
    } catch (e) {
      if (read === this.#reads) this.loadError = errorMessage(e);
    }
  }

  /** The profile `handle` as just read, if it is still the one selected; when it is gone,
   * its panel closes. */
  #show(handle: string | null, one: Profile | null) {
    if (handle === null || handle !== this.nav.selectedHandle) return;
    this.#current = one;
    if (one === null) this.nav.close();
  }
}

/** The profile named, or null when it is gone (removed here or elsewhere). */
async function getProfile(handle: string | null): Promise<Profile | null> {
  if (handle === null) return null;
  try {
    return await call("profile_get", { handle });
  } catch (e) {
    if (e instanceof ApiError && e.code === "not_found") return null;
    throw e;
  }
}
