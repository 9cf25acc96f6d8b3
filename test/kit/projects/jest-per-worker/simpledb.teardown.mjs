export { simpledbGlobalTeardown as default } from 'simpledb-local/testing/jest';
