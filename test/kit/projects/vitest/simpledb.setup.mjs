import { simpledbGlobalSetup } from 'simpledb-local/testing/vitest';

export default simpledbGlobalSetup();
