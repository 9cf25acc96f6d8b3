import { simpledbGlobalSetup } from 'simpledb-local/testing/jest';

export default simpledbGlobalSetup({ perWorker: true });
