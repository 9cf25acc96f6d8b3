// The report's groups: one per run, place, attributes, kind and confidence, whatever the names
// hold. Items of one name in two domains, and names that look like an object's own properties,
// stay apart.
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzableEntry } from '../../emulator/sync/analyze/index.js';
import { putEntry, readEntry } from './entries.js';

let seq = 0;
const get = (client: string, domain: string, item: string, value: string) => readEntry(++seq, client, domain, item, { n: [value] });
const put = (client: string, domain: string, item: string, value: string) => putEntry(++seq, client, domain, item, 'n', value);

/** Two clients read n = 0 and each writes 1, `times` times over: that many lost increments. */
function races(domain: string, item: string, times: number): AnalyzableEntry[] {
  const out: AnalyzableEntry[] = [];
  for (let i = 0; i < times; i++) {
    out.push(get('a', domain, item, String(2 * i)), get('b', domain, item, String(2 * i)), put('a', domain, item, String(2 * i + 1)), put('b', domain, item, String(2 * i + 1)));
  }
  return out;
}

describe('the groups of findings', () => {
  it('keep items of one name in two domains, and names like __proto__, apart', () => {
    seq = 0;
    const places: [string, string, number][] = [
      ['d1', '__proto__', 1],
      ['d2', '__proto__', 2],
      ['d1', 'constructor', 3],
      ['d1', '<img src=x onerror=alert(1)>', 4],
      ['d2', 'x'.repeat(1024), 5],
    ];
    const a = analyze(places.flatMap(([domain, item, times]) => races(domain, item, times)));
    expect(a.summary).toMatchObject({ anomalies: 15, possible: 0 });
    const groups = a.groups.map((g) => [g.domain, g.item, g.kind, g.findings.length]);
    expect(groups).toHaveLength(places.length);
    expect(groups).toEqual(expect.arrayContaining(places.map(([domain, item, times]) => [domain, item, 'lost-update', times])));
    // Each group lists exactly the findings of its place.
    for (const g of a.groups) {
      for (const id of g.findings) expect(a.findings.find((f) => f.id === id)).toMatchObject({ domain: g.domain, item: g.item });
    }
  });
});
