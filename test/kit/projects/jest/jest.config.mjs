// A user's Jest project (ESM tests: run with NODE_OPTIONS=--experimental-vm-modules).
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.spec.mjs'],
  transform: {},
  globalSetup: '<rootDir>/simpledb.setup.mjs',
  globalTeardown: '<rootDir>/simpledb.teardown.mjs',
};
