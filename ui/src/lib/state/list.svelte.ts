// What the profile list shows: a search over label, handle and template, a status and a
// template filter, an order, and the density. The sidebar's "Test N shown" asks it too.
import { type ProfileSummary } from "../../api";
import type { Profiles } from "./profiles.svelte";

export type Order = "label" | "status" | "expiry";

// Failing first: the order of "Failing first".
const RANK: Record<string, number> = {
  failing: 0,
  expired: 1,
  settings_changed: 2,
  signed_out: 3,
  never: 4,
  connected: 5,
};

const DENSITY = "oauthdesk.density";

export class ListView {
  readonly profiles: Profiles;
  query = $state("");
  status = $state("all");
  template = $state("all");
  order = $state<Order>("label");
  // Density: compact rows show the label and the badge on one line; remembered.
  #compact = $state(localStorage.getItem(DENSITY) === "compact");

  /** Whether anything narrows the list. */
  readonly filtered = $derived.by(() => this.query.trim() !== "" || this.status !== "all" || this.template !== "all");
  /** The templates the profiles use, for the template filter. */
  readonly usedTemplates = $derived.by(() => [...new Set(this.profiles.list.map((p) => p.template))].sort());
  /** The profiles the list shows, in its order. */
  readonly shown: ProfileSummary[] = $derived.by(() => {
    const q = this.query.trim().toLowerCase();
    const list = this.profiles.list.filter(
      (p) =>
        (this.status === "all" || p.connection.state === this.status) &&
        (this.template === "all" || p.template === this.template) &&
        (!q || `${p.label} ${p.handle} ${this.profiles.templateName(p.template)}`.toLowerCase().includes(q)),
    );
    if (this.order === "status") list.sort((a, b) => RANK[a.connection.state] - RANK[b.connection.state]);
    if (this.order === "expiry")
      list.sort((a, b) => (a.connection.expires_at ?? "9999").localeCompare(b.connection.expires_at ?? "9999"));
    return list;
  });

  constructor(profiles: Profiles) {
    this.profiles = profiles;
  }

  get compact(): boolean {
    return this.#compact;
  }
  set compact(value: boolean) {
    this.#compact = value;
    localStorage.setItem(DENSITY, value ? "compact" : "comfortable");
  }
}

/** The slice of a long list that is rendered, and the space that stands for the rest. */
export type Slice = { first: number; count: number; before: number; after: number };

/**
 * Which of `total` items of height `item` to render when the list is scrolled to `top` in a
 * viewport `height` high: those in view and `margin` either side. A `top` beyond the list's
 * end (left over from a longer list or taller items, before the scroll position catches up)
 * renders the list's last items, never nothing.
 */
export function slice(total: number, item: number, top: number, height: number, margin = 5): Slice {
  const count = Math.min(total, Math.ceil(Math.max(0, height) / item) + 2 * margin);
  const wanted = Math.floor(Math.max(0, top) / item) - margin;
  const first = Math.max(0, Math.min(wanted, total - count));
  return { first, count, before: first * item, after: (total - first - count) * item };
}

/** The scroll position that keeps the item at the top of the view there when items change from `from` to `to` px high. */
export function keepTop(top: number, from: number, to: number): number {
  return Math.floor(Math.max(0, top) / from) * to;
}
