import { defineConfig } from 'vitest/config';

// Node-side tests. Renderer component tests get their own project (jsdom + svelte plugin)
// once src-renderer grows; see test/renderer/.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/renderer/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
