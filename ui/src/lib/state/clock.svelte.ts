// The one clock the window's countdowns read ("1m 05s left", "expiring soon", certificate
// days): one timer for all of them, so the list's badges and a panel's countdown never
// disagree by a tick, and no component keeps a timer of its own.
import { createSubscriber } from "svelte/reactivity";

class Clock {
  #now = Date.now();
  // Ticks only while something on screen reads `now` (the subscriber starts and stops the
  // timer with the first and the last reader).
  #subscribe = createSubscriber((update) => {
    this.#now = Date.now();
    const timer = setInterval(() => {
      this.#now = Date.now();
      update();
    }, 1000);
    return () => clearInterval(timer);
  });

  /** Milliseconds since the epoch, at most a second old while read in a template or effect. */
  get now(): number {
    this.#subscribe();
    return this.#now;
  }
}

export const clock = new Clock();
