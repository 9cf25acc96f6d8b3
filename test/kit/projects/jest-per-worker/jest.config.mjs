// A user's Jest project with an emulator per worker: Jest's default worker count, and files that
// reset or restore run in parallel without touching each other's emulator.
// Run it with: NODE_OPTIONS=--experimental-vm-modules npx jest
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.spec.mjs'],
  transform: {},
  globalSetup: '<rootDir>/simpledb.setup.mjs',
  globalTeardown: '<rootDir>/simpledb.teardown.mjs',
  setupFiles: ['<rootDir>/simpledb.per-worker.mjs'],
};
