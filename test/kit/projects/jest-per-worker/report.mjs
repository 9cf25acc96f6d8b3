// Not part of the recipe: lets test/kit/runners.test.ts see which worker used which emulator.
import { appendFileSync } from 'node:fs';

export function report(file) {
  if (process.env.KIT_REPORT) appendFileSync(process.env.KIT_REPORT, `${file} ${process.env.JEST_WORKER_ID} ${process.env.SIMPLEDB_ENDPOINT}\n`);
}
