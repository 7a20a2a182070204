// The UI's unit tests (`npm test`): the state layer's classes, run by Node with Svelte's
// browser runtime (so effects run), without a window. The end-to-end suites (tests/e2e)
// drive the real window.
import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

export default defineConfig({
  plugins: [svelte()],
  // Svelte's browser build, where effects run (its default build for Node renders on a server).
  resolve: { conditions: ["browser"] },
  ssr: { resolve: { conditions: ["browser"] } },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
    testTransformMode: { web: ["**/*"] },
    server: { deps: { inline: ["svelte"] } },
  },
});
