// A button's action: busy while it runs (its button disabled, its label "…ing"), and the
// failure's message for people when it fails. Written once here instead of a busy flag, a
// try/catch and an error string in every panel.
import { errorMessage } from "../../api";

export class Action {
  busy = $state(false);
  /** The last run's failure, for people (with the window's advice for a missing thing), or "". */
  error = $state("");

  /**
   * Runs `work`: clears the last error, and keeps the new one. Resolves to the work's
   * value, or `undefined` when it failed.
   */
  async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = "";
    try {
      return await work();
    } catch (e) {
      this.error = errorMessage(e);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Forgets the last failure (a panel that starts over). */
  clear() {
    this.error = "";
  }
}
