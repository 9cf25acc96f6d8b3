// A user's Jest project. Run it with: NODE_OPTIONS=--experimental-vm-modules npx jest
// (the tests are ES modules, which Jest loads only with that Node flag).
export default {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/*.spec.mjs'],
  transform: {},
  globalSetup: '<rootDir>/simpledb.setup.mjs',
  globalTeardown: '<rootDir>/simpledb.teardown.mjs',
  // Every test file shares the one emulator, and reset()/restore() change it for all of them:
  // files run one at a time. (Suites that only use domainPrefix() can drop this line.)
  maxWorkers: 1,
};
