// A user's Vitest project where each test file has an emulator of its own: files run in parallel
// (Vitest's default) and may reset or restore without touching each other.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.spec.mjs'],
    setupFiles: ['./simpledb.per-file.mjs'],
  },
});
