// A dialog that holds the keyboard: focus moves into it when it opens, Tab and Shift+Tab
// cycle within it (nothing behind the backdrop is reached), Escape closes it, and focus
// returns to where it was when it closes. Used as `use:modal={onclose}`.
const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function modal(node: HTMLElement, onclose: () => void) {
  let close = onclose;
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const focusables = () => [...node.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
  const onkey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      close();
      return;
    }
    if (e.key !== "Tab") return;
    const all = focusables();
    if (all.length === 0) return;
    const at = all.indexOf(document.activeElement as HTMLElement);
    const next = e.shiftKey ? (at <= 0 ? all.length - 1 : at - 1) : at === all.length - 1 ? 0 : at + 1;
    e.preventDefault();
    all[next]?.focus();
  };
  document.addEventListener("keydown", onkey, true);
  queueMicrotask(() => focusables()[0]?.focus());
  return {
    update(next: () => void) {
      close = next;
    },
    destroy() {
      document.removeEventListener("keydown", onkey, true);
      before?.focus();
    },
  };
}
