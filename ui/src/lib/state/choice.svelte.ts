// A choice of some of many profiles (Export's): a search narrows what is listed, "All" and
// "None" act on what is listed, and what was chosen stays chosen while the search changes.
import type { ProfileSummary } from "../../api";

export class Choice {
  readonly profiles: ProfileSummary[];
  query = $state("");
  #chosen = $state(new Set<string>());

  /** The profiles the search lets through, in the list's order. */
  readonly shown: ProfileSummary[] = $derived.by(() => {
    const q = this.query.trim().toLowerCase();
    return q ? this.profiles.filter((p) => `${p.label} ${p.handle}`.toLowerCase().includes(q)) : this.profiles;
  });
  /** The handles chosen, in the list's order. */
  readonly chosen: string[] = $derived.by(() =>
    this.profiles.filter((p) => this.#chosen.has(p.handle)).map((p) => p.handle),
  );

  /** Starts with `initial` chosen (every profile when not given). */
  constructor(profiles: ProfileSummary[], initial?: string[]) {
    this.profiles = profiles;
    this.#chosen = new Set(initial ?? profiles.map((p) => p.handle));
  }

  has(handle: string): boolean {
    return this.#chosen.has(handle);
  }
  toggle(handle: string, on: boolean) {
    const next = new Set(this.#chosen);
    if (on) next.add(handle);
    else next.delete(handle);
    this.#chosen = next;
  }
  /** Chooses every profile listed (the search's, or all). */
  all() {
    this.#chosen = new Set([...this.#chosen, ...this.shown.map((p) => p.handle)]);
  }
  /** Unchooses every profile listed. */
  none() {
    const listed = new Set(this.shown.map((p) => p.handle));
    this.#chosen = new Set([...this.#chosen].filter((h) => !listed.has(h)));
  }
}
