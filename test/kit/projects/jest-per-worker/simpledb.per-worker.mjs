import { simpledbWorkerEndpoint } from 'simpledb-local/testing/jest';

simpledbWorkerEndpoint();
