import { describe, expect, it } from "vitest";
import { Ask } from "./ask.svelte";

const q = (title: string) => ({ title, body: ["what stops working"], yes: "Do it" });

describe("Ask", () => {
  it("resolves each answer to the question it was given, and closes it", async () => {
    for (const yes of [true, false]) {
      const ask = new Ask();
      const answered = ask.ask(q("a"));
      expect(ask.question?.title).toBe("a");
      ask.answer(yes);
      expect(await answered).toBe(yes);
      expect(ask.question).toBeNull();
    }
  });

  it("a second question answers the first one no", async () => {
    const ask = new Ask();
    const first = ask.ask(q("first"));
    const second = ask.ask(q("second"));
    expect(await first).toBe(false);
    expect(ask.question?.title).toBe("second");
    ask.answer(true);
    expect(await second).toBe(true);
  });

  it("an answer with no question open does nothing", () => {
    const ask = new Ask();
    ask.answer(true);
    expect(ask.question).toBeNull();
  });
});
