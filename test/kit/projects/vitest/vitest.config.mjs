// A user's Vitest project: one emulator for the whole run, started by the kit's globalSetup.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.spec.mjs'],
    globalSetup: ['./simpledb.setup.mjs'],
    // reset() empties the emulator every file shares: files that reset run one at a time.
    fileParallelism: false,
  },
});
