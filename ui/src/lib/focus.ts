// Where the keyboard goes after an action whose result appears later: Connect's and
// Diagnose's buttons start work; their result (a token, a failure, a diagnosis) takes the
// focus when it is drawn, so a keyboard or screen-reader user lands on it, not on the page.
import { tid } from "../testids.js";

/** The buttons whose result takes the focus, and the results each one may draw. */
const RESULTS: Record<string, string[]> = {
  [tid.connect]: [tid.connectError, tid.tokenInfo, tid.connectNotice],
  [tid.connectForce]: [tid.connectError, tid.tokenInfo, tid.connectNotice],
  [tid.diagnose]: [tid.diagnoseHealthy, tid.diagnoseCause],
};

/** How long a result may take to appear before the focus stops waiting for it. */
const WAIT_MS = 120_000;

/** Focuses the element drawn as the result of the button pressed inside `node`. */
export function resultFocus(node: HTMLElement) {
  let stop: (() => void) | null = null;
  const onclick = (e: Event) => {
    const button = (e.target as HTMLElement | null)?.closest<HTMLElement>("[data-testid]");
    const results = button ? RESULTS[button.dataset.testid ?? ""] : undefined;
    if (!results) return;
    stop?.();
    const selector = results.map((id) => `[data-testid="${id}"]`).join(", ");
    // Results already there are the previous attempt's: wait for a new one.
    const before = new Set(node.querySelectorAll(selector));
    const observer = new MutationObserver(() => {
      const found = [...node.querySelectorAll<HTMLElement>(selector)].find((el) => !before.has(el));
      if (!found) return;
      if (!found.hasAttribute("tabindex")) found.tabIndex = -1;
      found.focus();
      stop?.();
    });
    observer.observe(node, { childList: true, subtree: true });
    const timer = setTimeout(() => stop?.(), WAIT_MS);
    stop = () => {
      observer.disconnect();
      clearTimeout(timer);
      stop = null;
    };
  };
  node.addEventListener("click", onclick);
  return {
    destroy() {
      stop?.();
      node.removeEventListener("click", onclick);
    },
  };
}
