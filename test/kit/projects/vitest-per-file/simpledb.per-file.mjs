import { simpledbPerFile } from 'simpledb-local/testing/vitest';

await simpledbPerFile();
