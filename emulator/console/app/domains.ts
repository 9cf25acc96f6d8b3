import { action, ActionError, domainMetadata, listDomains } from './api.js';
import { confirmDialog, field, h, notice } from './dom.js';
import { href } from './router.js';

export const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));

interface ImportLine {
  domain: string;
  item: string;
  attributes: Record<string, string[]>;
}

/**
 * The data tools' NDJSON, checked whole before anything is written: every bad line is named (up
 * to ten), as `simpledb-local import` does.
 */
export function parseNdjson(text: string): { items: ImportLine[] } | { errors: string[] } {
  const items: ImportLine[] = [];
  const errors: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || errors.length >= 10) return;
    const at = `line ${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      errors.push(`${at}: not JSON`);
      return;
    }
    const o = v as Partial<ImportLine> & Record<string, unknown>;
    const extra = typeof v === 'object' && v !== null ? Object.keys(v).filter((k) => !['domain', 'item', 'attributes'].includes(k)) : [];
    if (typeof v !== 'object' || v === null || Array.isArray(v) || typeof o.domain !== 'string' || typeof o.item !== 'string') {
      errors.push(`${at}: an object with "domain" and "item" strings`);
    } else if (extra.length > 0) {
      errors.push(`${at}: unknown field ${extra[0]}`);
    } else if (
      typeof o.attributes !== 'object' || o.attributes === null ||
      !Object.values(o.attributes).every((vs) => Array.isArray(vs) && vs.length > 0 && vs.every((x) => typeof x === 'string'))
    ) {
      errors.push(`${at}: "attributes" maps each name to a list of strings`);
    } else if (Object.values(o.attributes).reduce((n, vs) => n + vs.length, 0) > 256) {
      errors.push(`${at}: more than 256 name-value pairs in one item`);
    } else {
      items.push({ domain: o.domain, item: o.item, attributes: o.attributes });
    }
  });
  return errors.length > 0 ? { errors } : { items };
}

export function domainsView(root: HTMLElement): void {
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div', {});
  const name = h('input', { name: 'domain', required: true, autocomplete: 'off', pattern: '[a-zA-Z0-9_.\\-]{3,255}' });
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Create a domain' },
    field('New domain', name, '3 to 255 of a–z, A–Z, 0–9, _ - .'),
    h('button', { type: 'submit' }, 'Create domain'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      try {
        await action({ Action: 'CreateDomain', DomainName: name.value });
        status.replaceChildren(notice('ok', `Created ${name.value}.`));
        name.value = '';
        await load();
      } catch (err) {
        status.replaceChildren(notice('error', describeError(err)));
      }
    })();
  });
  const file = h('input', { type: 'file', name: 'import', accept: '.ndjson,.jsonl,application/x-ndjson' });
  const importForm = h(
    'form',
    { class: 'inline', 'aria-label': 'Import an NDJSON file' },
    field('NDJSON file', file, 'one {"domain","item","attributes"} per line, merged as simpledb-local import does'),
    h('button', { type: 'submit' }, 'Import'),
  );
  importForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      const parsed = parseNdjson(await chosen.text());
      if ('errors' in parsed) {
        status.replaceChildren(notice('error', `Not imported (nothing was written): ${parsed.errors.join('; ')}`));
        return;
      }
      try {
        const domains = [...new Set(parsed.items.map((i) => i.domain))];
        for (const d of domains) await action({ Action: 'CreateDomain', DomainName: d });
        for (const d of domains) {
          const items = parsed.items.filter((i) => i.domain === d);
          for (let k = 0; k < items.length; k += 25) {
            const batch: Record<string, string> = { Action: 'BatchPutAttributes', DomainName: d };
            items.slice(k, k + 25).forEach((it, n) => {
              batch[`Item.${n + 1}.ItemName`] = it.item;
              let a = 0;
              for (const [name, values] of Object.entries(it.attributes)) {
                for (const value of values) {
                  a++;
                  batch[`Item.${n + 1}.Attribute.${a}.Name`] = name;
                  batch[`Item.${n + 1}.Attribute.${a}.Value`] = value;
                }
              }
            });
            await action(batch);
          }
        }
        status.replaceChildren(notice('ok', `Imported ${parsed.items.length.toLocaleString('en')} items into ${domains.join(', ')}.`));
        file.value = '';
        await load();
      } catch (err) {
        status.replaceChildren(notice('error', `Import stopped: ${describeError(err)} (items before it were written)`));
      }
    })();
  });
  root.append(h('h1', {}, 'Domains'), form, importForm, status, list);

  async function remove(domain: string): Promise<void> {
    if (!(await confirmDialog(`Delete domain ${domain} and every item in it?`, 'Delete domain'))) return;
    try {
      await action({ Action: 'DeleteDomain', DomainName: domain });
      status.replaceChildren(notice('ok', `Deleted ${domain}.`));
      await load();
    } catch (err) {
      status.replaceChildren(notice('error', describeError(err)));
    }
  }

  async function load(): Promise<void> {
    list.replaceChildren(notice('info', 'Loading…'));
    let names: string[];
    try {
      names = await listDomains();
    } catch (err) {
      list.replaceChildren(notice('error', err instanceof ActionError ? err.message : describeError(err)));
      return;
    }
    if (names.length === 0) {
      list.replaceChildren(notice('empty', 'No domains yet. Create one above, or with any SimpleDB client.'));
      return;
    }
    const figures = await Promise.all(names.map((d) => domainMetadata(d).catch(() => undefined)));
    const rows = names.map((d, i) => {
      const f = figures[i];
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, h('a', { href: href.items(d) }, d)),
        h('td', { class: 'num' }, f ? f.itemCount.toLocaleString('en') : '—'),
        h('td', { class: 'num' }, f?.attributeNameCount ?? '—'),
        h('td', { class: 'num' }, f ? f.attributeValueCount.toLocaleString('en') : '—'),
        h('td', { class: 'num' }, f ? f.bytes.toLocaleString('en') : '—'),
        h('td', {}, h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete domain ${d}`, onclick: () => void remove(d) }, 'Delete')),
      );
    });
    list.replaceChildren(
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          {},
          h('caption', {}, `${names.length} domain${names.length === 1 ? '' : 's'} (figures from DomainMetadata)`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Domain'),
              ...['Items', 'Attribute names', 'Name-value pairs', 'Bytes'].map((t) => h('th', { scope: 'col', class: 'num' }, t)),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  }
  void load();
}
