import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Test files that must run alone, each with the reason. They run after everything else (groupOrder 1), one at a
 * time, so nothing competes with them for the CPU or for the shared thing they touch:
 * - test/doctor/real-system.test.ts: changes the real system (creates the user `kilntest`, edits its groups);
 * - test/integration/cli-pty.test.ts: a real-clock bound (DEVICE_LOST noticed within 2 s of the pty vanishing);
 * - test/serial/hotplug.test.ts: real inotify events judged against real-time debounce windows;
 * - test/e2e/**: Chromium plus a production renderer build, the heaviest CPU users; beside other files they stretch
 *   every real-time wait in those files.
 */
const RUN_ALONE = [
  'test/doctor/real-system.test.ts',
  'test/integration/cli-pty.test.ts',
  'test/serial/hotplug.test.ts',
  // kiln provision as a child process on the real clock: the firmware's boot, Wi-Fi and MQTT delays are real time.
  'test/cli/provision.test.ts',
  'test/e2e/**/*.test.ts',
];

/** Everything else runs two files at a time (the build machines have 2 cores; Vitest's default would be one). */
const WORKERS = 2;

const timeouts = { testTimeout: 30_000, hookTimeout: 30_000 };

// `npx vitest run` runs every project; `npx vitest run --project renderer` runs one.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/renderer/**', 'node_modules/**', ...RUN_ALONE],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          ...timeouts,
          pool: 'forks',
          maxWorkers: WORKERS,
        },
      },
      {
        plugins: [svelte({ compilerOptions: { css: 'injected' } })],
        // Svelte's package exports pick the server build under Node unless `browser` comes first.
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.ts'],
          environment: 'jsdom',
          setupFiles: ['test/renderer/setup.ts'],
          ...timeouts,
          pool: 'forks',
          maxWorkers: WORKERS,
        },
      },
      {
        test: {
          name: 'alone',
          include: RUN_ALONE,
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          ...timeouts,
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
