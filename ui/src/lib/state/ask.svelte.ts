// A question before an action that stops something working: a panel asks, the one Confirm
// component shows it, and the action runs only on the person's yes. Asking again while a
// question is open answers the open one "no", so no action waits forever.

export type Question = {
  /** What is about to happen, as a heading ("Remove the key of sf-prod?"). */
  title: string;
  /** What will stop working, and what keeps working, one paragraph each. */
  body: string[];
  /** The label of the button that does it ("Remove the key"). */
  yes: string;
  /** The test id of that button, when the suites already name it. */
  yesId?: string;
};

export class Ask {
  question = $state<Question | null>(null);
  #resolve: ((yes: boolean) => void) | null = null;

  /** Shows `q`; resolves `true` when the person chose its yes, `false` otherwise. */
  ask(q: Question): Promise<boolean> {
    this.answer(false);
    this.question = q;
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  /** The person's answer (the Confirm component calls it). */
  answer(yes: boolean) {
    const resolve = this.#resolve;
    this.#resolve = null;
    this.question = null;
    resolve?.(yes);
  }
}
