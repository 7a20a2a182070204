// The window's keyboard shortcuts: Ctrl+N new profile, Ctrl+F (or / outside a text box)
// search, Ctrl+D diagnose, Ctrl+Enter connect. The last two press the button on screen, so
// they do what the button does, and nothing when it is not there.
import { tid } from "../testids.js";
import type { Nav } from "./state/nav.svelte";

/** The window's keydown handler. */
export function shortcuts(nav: Nav): (e: KeyboardEvent) => void {
  const element = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  return (e) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    if (e.ctrlKey && e.key.toLowerCase() === "n") {
      e.preventDefault();
      nav.create();
    } else if ((e.ctrlKey && e.key.toLowerCase() === "f") || (e.key === "/" && !typing)) {
      e.preventDefault();
      element(tid.search)?.focus();
    } else if (e.ctrlKey && e.key.toLowerCase() === "d") {
      e.preventDefault();
      element(tid.diagnose)?.click();
    } else if (e.ctrlKey && e.key === "Enter") {
      e.preventDefault();
      element(tid.connect)?.click();
    }
  };
}
