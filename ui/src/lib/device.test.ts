import { describe, expect, it } from "vitest";
import { deviceLeft } from "./device";

describe("deviceLeft", () => {
  it("counts down from the provider's expires_in, whatever it is", () => {
    for (const expiresIn of [30, 300, 600, 900, 1800]) {
      const shown = 1_000_000;
      expect(deviceLeft(expiresIn, shown, shown)).toMatch(/^The code expires in /);
      const later = deviceLeft(expiresIn, shown, shown + 20_000);
      expect(later).not.toBe(deviceLeft(expiresIn, shown, shown));
      expect(deviceLeft(expiresIn, shown, shown + expiresIn * 1000)).toMatch(/expired/);
    }
    expect(deviceLeft(900, 0, 0)).toBe("The code expires in 15m 00s.");
    expect(deviceLeft(600, 0, 59_000)).toBe("The code expires in 9m 01s.");
  });
});
