// What every package's tests share: real servers and processes take seconds, not milliseconds,
// and a test that asserts nothing passes whatever the code does.
export const sharedTestOptions = {
  expect: { requireAssertions: true },
  testTimeout: 60_000,
  hookTimeout: 120_000,
  reporters: ['default', 'json'],
  outputFile: { json: '.test-results/vitest.json' },
};
