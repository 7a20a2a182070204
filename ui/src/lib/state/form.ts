// What the profile form asks where, as the template says (the core decides each field's
// place), and whether the form holds changes not yet saved.
import type { FieldSpec, Template } from "../../api";

/**
 * The template's fields the form asks for: `main` in view, `advanced` under the fold. The
 * secret is drawn beside the client ID, and a field the grant never reads is not asked.
 */
export function formFields(template: Template | undefined): { main: FieldSpec[]; advanced: FieldSpec[] } {
  const asked = (template?.fields ?? []).filter((f) => f.kind.type !== "secret" && f.place !== "unused");
  return { main: asked.filter((f) => f.place === "main"), advanced: asked.filter((f) => f.place === "advanced") };
}

/** The form's contents, compared as text; a blank value is the same as none. */
export const unsavedChanges = {
  snapshot(state: unknown): string {
    return JSON.stringify(state, (_key, value) =>
      value && typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>)
              .filter(([, v]) => v !== "" && v !== undefined && v !== null)
              .sort(([a], [b]) => a.localeCompare(b)),
          )
        : value,
    );
  },
  differ(opened: string, now: unknown): boolean {
    return unsavedChanges.snapshot(now) !== opened;
  },
};
