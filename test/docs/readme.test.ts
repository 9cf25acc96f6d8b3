import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTION_SPECS } from '../../emulator/options.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const table = readme.slice(readme.indexOf('<!-- cli-table -->'), readme.indexOf('<!-- /cli-table -->'));

describe('README', () => {
  it('documents every CLI option with its environment variable and default', () => {
    const rows = table.split('\n').filter((l) => l.startsWith('| `--'));
    expect(rows).toHaveLength(OPTION_SPECS.length);
    for (const spec of OPTION_SPECS) {
      const row = rows.find((r) => r.startsWith(`| \`${spec.flag}\``));
      expect(row, spec.flag).toBeDefined();
      expect(row).toContain(`\`${spec.env}\``);
      if (spec.default !== undefined) expect(row).toContain(`\`${spec.default}\``);
    }
  });

  it('gives the two-command quickstart and the test command', () => {
    expect(readme).toMatch(/npm ci\s+npm start/);
    expect(readme).toMatch(/npm ci\s+npm test/);
  });
});
