import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 *  - unit: pure code, no hosts, parallel.
 *  - lab: integration tests against a lab fleet of real sshd hosts, brought up once by
 *    test/support/lab-global-setup.ts and torn down after; files run one at a time
 *    because they share the fleet.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/lab-global-setup.ts'],
          fileParallelism: false,
          // Whole playbooks on 20 hosts, two labs side by side on two cores (npm test): minutes under load.
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
