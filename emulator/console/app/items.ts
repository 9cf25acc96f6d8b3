import { action, getAttributes, quoteName, select, type Attributes, domainMetadata } from './api.js';
import { confirmDialog, field, h, notice, type Child } from './dom.js';
import { describeError } from './domains.js';
import { href, type Browse } from './router.js';

/** More columns than this make a table nobody reads; the item view shows them all. */
const MAX_COLUMNS = 24;

/** A multi-valued attribute is a set: shown as one chip per value. */
/** Characters of a value a table shows before it folds the rest away (the item view shows it whole). */
const SHOWN_CHARS = 80;

/** A value in a table cell: a long one as its start, the rest a click away. */
function tableValue(v: string): Child {
  if (v.length <= SHOWN_CHARS) return v;
  return h('details', { class: 'long' }, h('summary', {}, `${v.slice(0, SHOWN_CHARS)}… (${v.length.toLocaleString('en')} characters)`), h('span', { class: 'full' }, v));
}

export function valuesCell(values: readonly string[] | undefined): Child {
  if (!values || values.length === 0) return h('span', { class: 'absent', 'aria-label': 'no value' }, '—');
  if (values.length === 1) return tableValue(values[0] ?? '');
  return h('span', { class: 'set', 'aria-label': `set of ${values.length} values` }, ...values.map((v) => h('span', { class: 'chip' }, tableValue(v))));
}

const OPERATORS = ['=', '!=', '>', '>=', '<', '<=', 'like', 'not like', 'is null', 'is not null'] as const;
const quoteValue = (v: string): string => `'${v.replaceAll("'", "''")}'`;

/**
 * The Select behind the items view: `select *`, a `where` on one attribute when asked, and an
 * `order by`, which the service allows only on an attribute a predicate names (so sorting adds
 * `is not null` on it when the filter is on another one).
 */
export function browseQuery(domain: string, b: Browse): string {
  const where: string[] = [];
  if (b.attr) {
    const op = (OPERATORS as readonly string[]).includes(b.op ?? '') ? (b.op as string) : '=';
    where.push(op.startsWith('is') ? `${quoteName(b.attr)} ${op}` : `${quoteName(b.attr)} ${op} ${quoteValue(b.value ?? '')}`);
  }
  if (b.sort && b.sort !== b.attr) where.push(`${quoteName(b.sort)} is not null`);
  const order = b.sort ? ` order by ${quoteName(b.sort)}${b.desc ? ' desc' : ''}` : '';
  return `select * from ${quoteName(domain)}${where.length ? ` where ${where.join(' and ')}` : ''}${order}`;
}

/** The NextTokens of the pages seen, per query, so a page can link to the one before it. */
function pageTrail(query: string): string[] {
  try {
    const all = JSON.parse(sessionStorage.getItem('simpledb-local.pages') ?? '{}') as Record<string, string[]>;
    return all[query] ?? [];
  } catch {
    return [];
  }
}

function rememberPage(query: string, trail: string[]): void {
  // One query's trail kept: the tokens are long, and a session has little room.
  sessionStorage.setItem('simpledb-local.pages', JSON.stringify({ [query]: trail }));
}

export function itemsView(domain: string, next: string | undefined, browse: Browse = {}) {
  return (root: HTMLElement): void => {
    const figures = h('p', { class: 'meta' });
    const status = h('div', { 'aria-live': 'polite' });
    const table = h('div', {});
    const itemName = h('input', { name: 'item', required: true, autocomplete: 'off' });
    const attrName = h('input', { name: 'attribute', required: true, autocomplete: 'off' });
    const attrValue = h('input', { name: 'value', autocomplete: 'off' });
    const form = h(
      'form',
      { class: 'inline', 'aria-label': 'Add an item' },
      field('Item name', itemName),
      field('Attribute', attrName),
      field('Value', attrValue),
      h('button', { type: 'submit' }, 'Add item'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void (async () => {
        try {
          // Only if the attribute is not there yet: adding never overwrites a concurrent item.
          await action({
            Action: 'PutAttributes', DomainName: domain, ItemName: itemName.value,
            'Attribute.1.Name': attrName.value, 'Attribute.1.Value': attrValue.value,
            'Expected.1.Name': attrName.value, 'Expected.1.Exists': 'false',
          });
          location.hash = href.item(domain, itemName.value);
        } catch (err) {
          status.replaceChildren(notice('error', describeError(err)));
        }
      })();
    });
    root.append(
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: href.domains() }, 'Domains'), ' / ', domain),
      h('h1', {}, domain),
      figures,
      h('p', { class: 'links' }, h('a', { href: href.select(`select * from ${quoteName(domain)}`) }, 'Query in the workbench'), ' · ', h('a', { href: href.traffic({ domain }) }, 'Traffic of this domain')),
      form,
      browseForm(domain, browse),
      h('p', {}, h('button', { type: 'button', class: 'danger', onclick: () => void purge() }, 'Delete all items…')),
      status,
      table,
    );

    /**
     * Deletes the items ticked on this page, each only if it is still as the page shows it: they
     * are read again with ConsistentRead first, and any difference refuses the whole delete.
     */
    async function removeSelected(chosen: readonly { name: string; attributes: Attributes }[]): Promise<void> {
      if (chosen.length === 0) {
        status.replaceChildren(notice('info', 'Tick the items to delete first.'));
        return;
      }
      const names = chosen.map((c) => c.name);
      const shownNames = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
      if (!(await confirmDialog(`Delete ${names.length} item${names.length === 1 ? '' : 's'} of ${domain}: ${shownNames}?`, `Delete ${names.length} item${names.length === 1 ? '' : 's'}`))) return;
      try {
        const changed: string[] = [];
        for (const c of chosen) {
          const difference = itemDifference(c.attributes, await getAttributes(domain, c.name));
          if (difference.length > 0) changed.push(`${c.name} (${difference.join('; ')})`);
        }
        if (changed.length > 0) {
          status.replaceChildren(notice('error', `Nothing deleted: changed since shown: ${changed.join(', ')}. Reload the page to see them.`));
          return;
        }
        for (let i = 0; i < names.length; i += 25) {
          const batch: Record<string, string> = { Action: 'BatchDeleteAttributes', DomainName: domain };
          names.slice(i, i + 25).forEach((name, k) => (batch[`Item.${k + 1}.ItemName`] = name));
          await action(batch);
        }
        status.replaceChildren(notice('ok', `Deleted ${names.length} item${names.length === 1 ? '' : 's'}.`));
        await drawPage();
      } catch (err) {
        status.replaceChildren(notice('error', `Delete failed: ${describeError(err)}`));
      }
    }

    /**
     * Deletes every item of the domain (the domain stays), as listed when the user confirms: the
     * dialog names how many, and an item added after that listing is not touched.
     */
    async function purge(): Promise<void> {
      try {
        const names: string[] = [];
        let token: string | undefined;
        // Bounded: 1,000 pages of 2,500 names.
        for (let k = 0; k < 1000; k++) {
          const page = await select(`select itemName() from ${quoteName(domain)} limit 2500`, true, token);
          names.push(...page.items.map((i) => i.name));
          token = page.nextToken;
          if (!token) break;
        }
        if (names.length === 0) {
          status.replaceChildren(notice('empty', 'This domain has no items to delete.'));
          return;
        }
        const count = `${names.length.toLocaleString('en')} item${names.length === 1 ? '' : 's'}`;
        if (!(await confirmDialog(`Delete the ${count} of ${domain} listed now? The domain stays; items added after this listing are kept.`, `Delete ${count}`))) return;
        for (let i = 0; i < names.length; i += 25) {
          const batch: Record<string, string> = { Action: 'BatchDeleteAttributes', DomainName: domain };
          names.slice(i, i + 25).forEach((name, k) => (batch[`Item.${k + 1}.ItemName`] = name));
          await action(batch);
          status.replaceChildren(notice('info', `Deleted ${Math.min(i + 25, names.length).toLocaleString('en')} of ${count}…`));
        }
        status.replaceChildren(notice('ok', `Deleted ${count}.`));
        await drawPage();
      } catch (err) {
        status.replaceChildren(notice('error', `Delete all items failed: ${describeError(err)}`));
      }
    }
    const query = browseQuery(domain, browse);
    // After the page: DomainMetadata counts the whole domain, which a large one makes slow.
    const showFigures = () =>
      void domainMetadata(domain).then(
        (f) => figures.replaceChildren(`${f.itemCount.toLocaleString('en')} items, ${f.attributeNameCount} attribute names, ${f.attributeValueCount.toLocaleString('en')} name-value pairs, ${f.bytes.toLocaleString('en')} bytes`),
        () => undefined,
      );
    table.append(notice('info', 'Loading…'));
    void (async () => {
      await drawPage();
      showFigures();
    })();
    async function drawPage(): Promise<void> {
      try {
        // The service's own paging: one page per Select, the next one by its NextToken.
        const page = await select(query, true, next);
        // Where this page stands among those seen ('' is the first page's token): the one before
        // it is a link back. A page opened from a bookmark starts a trail of its own.
        const current = next ?? '';
        const trail = pageTrail(query);
        const at = trail.indexOf(current);
        const known = at >= 0 ? trail.slice(0, at + 1) : [current];
        if (page.nextToken) rememberPage(query, [...known, page.nextToken]);
        const previous = known.length > 1 ? known[known.length - 2] : undefined;
        if (page.items.length === 0) {
          const filtered = browse.attr !== undefined || browse.sort !== undefined;
          table.replaceChildren(notice('empty', next ? 'No more items.' : filtered ? 'No items match.' : 'This domain has no items yet. Add one above.'));
          return;
        }
        const names = [...new Set(page.items.flatMap((i) => [...i.attributes.keys()]))].sort();
        const columns = names.slice(0, MAX_COLUMNS);
        const picks = page.items.map((item) => ({ item, box: h('input', { type: 'checkbox', name: 'pick', 'aria-label': `Select item ${item.name}` }) }));
        const deleteSelected = h('button', { type: 'button', class: 'danger', onclick: () => void removeSelected(picks.filter((p) => p.box.checked).map((p) => p.item)) }, 'Delete selected…');
        const rows = picks.map(({ item, box }) =>
          h(
            'tr',
            {},
            h('td', { class: 'pick' }, box),
            h('th', { scope: 'row' }, h('a', { href: href.item(domain, item.name) }, item.name)),
            ...columns.map((c) => h('td', {}, valuesCell(item.attributes.get(c)))),
          ),
        );
        table.replaceChildren(
          h(
            'div',
            { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Items' },
            h(
              'table',
              { class: 'items' },
              h('caption', {}, `${page.items.length} items on this page${names.length > MAX_COLUMNS ? ` (first ${MAX_COLUMNS} of ${names.length} attributes; open an item for all)` : ''}`),
              h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Select')), h('th', { scope: 'col' }, 'Item'), ...columns.map((c) => h('th', { scope: 'col' }, c)))),
              h('tbody', {}, ...rows),
            ),
          ),
          h('p', {}, deleteSelected),
          h(
            'nav',
            { class: 'pager', 'aria-label': 'Pages' },
            next ? h('a', { href: href.items(domain, undefined, browse) }, '« First page') : null,
            previous !== undefined && previous !== '' ? h('a', { href: href.items(domain, previous, browse), rel: 'prev' }, '‹ Previous page') : null,
            previous === '' ? h('a', { href: href.items(domain, undefined, browse), rel: 'prev' }, '‹ Previous page') : null,
            page.nextToken ? h('a', { href: href.items(domain, page.nextToken, browse), rel: 'next' }, 'Next page »') : h('span', {}, 'Last page'),
          ),
        );
      } catch (err) {
        table.replaceChildren(notice('error', describeError(err)));
      }
    }
  };
}

/** Filter on one attribute and sort by one: each change is a new URL, so Back and bookmarks work. */
function browseForm(domain: string, b: Browse): HTMLElement {
  const attr = h('input', { name: 'filter-attribute', autocomplete: 'off', value: b.attr ?? '' });
  const op = h('select', { name: 'filter-operator' }, ...OPERATORS.map((o) => h('option', { value: o, selected: (b.op ?? '=') === o }, o)));
  const value = h('input', { name: 'filter-value', autocomplete: 'off', value: b.value ?? '' });
  const sort = h('input', { name: 'sort-attribute', autocomplete: 'off', value: b.sort ?? '' });
  const desc = h('input', { type: 'checkbox', name: 'sort-descending', checked: b.desc === true });
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Filter and sort the items' },
    field('Where attribute', attr),
    field('Operator', op),
    field('Value', value),
    field('Sort by', sort),
    h('label', { class: 'check' }, desc, ' Descending'),
    h('button', { type: 'submit' }, 'Apply'),
    b.attr || b.sort ? h('a', { href: href.items(domain) }, 'Clear') : null,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = href.items(domain, undefined, { attr: attr.value, op: op.value, value: value.value, sort: sort.value, desc: desc.checked });
  });
  return form;
}

/**
 * The condition that makes an edit fail if the attribute changed since it was shown. The service
 * checks one single-valued attribute at most (Expected.1), so a multi-valued one is compared by
 * a consistent read just before the write instead.
 */
function expectedFor(name: string, shown: readonly string[]): Record<string, string> | undefined {
  if (shown.length === 0) return { 'Expected.1.Name': name, 'Expected.1.Exists': 'false' };
  if (shown.length === 1) return { 'Expected.1.Name': name, 'Expected.1.Value': shown[0] ?? '' };
  return undefined;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/**
 * What differs between the item as shown and as it is now, one line per attribute: a delete of
 * the whole item must not destroy a concurrent write to any attribute, and the service's
 * `Expected` checks only one.
 */
export function itemDifference(shown: Attributes, now: Attributes): string[] {
  const out: string[] = [];
  for (const name of new Set([...shown.keys(), ...now.keys()])) {
    const a = shown.get(name) ?? [];
    const b = now.get(name) ?? [];
    if (!sameSet(a, b)) out.push(`${name}: shown ${JSON.stringify(a)}, now ${JSON.stringify(b)}`);
  }
  return out;
}

/** `{"name": ["value", …]}` (a lone string is one value); names and values as the service takes them. */
export function parseItemJson(text: string): Attributes {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the item is a JSON object of attribute names');
  const out: Attributes = new Map();
  for (const [name, v] of Object.entries(value)) {
    const values = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(values) || values.length === 0 || !values.every((x): x is string => typeof x === 'string')) {
      throw new Error(`${name}: a string or a list of strings, not ${JSON.stringify(v)}`);
    }
    out.set(name, [...new Set(values)]);
  }
  if (out.size === 0) throw new Error('an item has at least one attribute (Delete item removes it)');
  return out;
}

async function checkUnchanged(domain: string, item: string, name: string, shown: readonly string[]): Promise<void> {
  const now = (await getAttributes(domain, item)).get(name) ?? [];
  if (!sameSet(now, shown)) throw new Error(`Not written: ${name} changed since it was shown (now ${JSON.stringify(now)}). Reload to see it.`);
}

export function itemView(domain: string, item: string) {
  return (root: HTMLElement): void => {
    const status = h('div', { 'aria-live': 'polite' });
    const body = h('div', {});
    let shown: Attributes = new Map();
    root.append(
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: href.domains() }, 'Domains'), ' / ', h('a', { href: href.items(domain) }, domain), ' / ', item),
      h('h1', {}, item),
      h('p', { class: 'links' }, h('a', { href: href.timeline(domain, item) }, 'Timeline of this item'), ' · ', h('a', { href: href.traffic({ domain, item }) }, 'Its traffic')),
      status,
      body,
    );

    /** One conditional write; on success the item is read again, on failure what was shown stays. */
    async function write(label: string, name: string, params: Record<string, string>): Promise<void> {
      const before = shown.get(name) ?? [];
      try {
        const expected = expectedFor(name, before);
        if (!expected) await checkUnchanged(domain, item, name, before);
        await action({ DomainName: domain, ItemName: item, ...params, ...expected });
        await load();
        status.replaceChildren(notice('ok', `${label}: done.`));
      } catch (err) {
        status.replaceChildren(
          notice('error', `${label} failed: ${describeError(err)} `, h('button', { type: 'button', class: 'small', onclick: () => void load() }, 'Reload the item')),
        );
      }
    }

    const put = (name: string, value: string, replace: boolean) => ({
      Action: 'PutAttributes', 'Attribute.1.Name': name, 'Attribute.1.Value': value, 'Attribute.1.Replace': String(replace),
    });

    function attributeRow(name: string, values: string[]): HTMLElement {
      const replaceInput = h('input', { name: `replace-${name}`, autocomplete: 'off', 'aria-label': `New value of ${name}` });
      const addInput = h('input', { name: `add-${name}`, autocomplete: 'off', 'aria-label': `Value to add to ${name}` });
      const replaceForm = h('form', { class: 'mini' }, replaceInput, h('button', { type: 'submit', class: 'small' }, 'Replace'));
      const addForm = h('form', { class: 'mini' }, addInput, h('button', { type: 'submit', class: 'small' }, 'Add value'));
      replaceForm.addEventListener('submit', (e) => {
        e.preventDefault();
        void write(`Replace ${name}`, name, put(name, replaceInput.value, true));
      });
      addForm.addEventListener('submit', (e) => {
        e.preventDefault();
        void write(`Add to ${name}`, name, put(name, addInput.value, false));
      });
      const chips = values.map((v) =>
        h(
          'span',
          { class: 'chip' },
          v,
          h('button', {
            type: 'button', class: 'chip-x', 'aria-label': `Delete value ${v} of ${name}`, title: 'Delete this value',
            onclick: () => void write(`Delete ${name}=${v}`, name, { Action: 'DeleteAttributes', 'Attribute.1.Name': name, 'Attribute.1.Value': v }),
          }, '×'),
        ),
      );
      return h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, h('span', { class: 'set' }, ...chips)), h('td', {}, replaceForm), h('td', {}, addForm));
    }

    /**
     * The whole item as JSON (`{"name": ["value", …]}`), edited and saved at once. Saving reads the
     * item again with ConsistentRead and refuses, naming each difference, when it changed since it
     * was shown; then one PutAttributes replaces the attributes that changed (conditional on one
     * single-valued attribute shown, when there is one) and one DeleteAttributes removes those
     * taken out.
     */
    function jsonEditor(): HTMLElement {
      const text = h('textarea', { name: 'item-json', rows: 8, spellcheck: 'false', autocomplete: 'off' });
      text.value = JSON.stringify(Object.fromEntries(shown), null, 2);
      const save = h('button', { type: 'submit' }, 'Save JSON');
      const form = h('form', { class: 'workbench', 'aria-label': 'Edit the item as JSON' }, field('The item as JSON', text), save);
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        void (async () => {
          let wanted: Attributes;
          try {
            wanted = parseItemJson(text.value);
          } catch (err) {
            status.replaceChildren(notice('error', `Not saved: ${(err as Error).message}`));
            return;
          }
          const now = await getAttributes(domain, item).catch(() => undefined);
          const difference = now === undefined ? ['the item could not be read again'] : itemDifference(shown, now);
          if (difference.length > 0) {
            status.replaceChildren(notice('error', `Not saved: the item changed since it was shown (${difference.join('; ')}). `, h('button', { type: 'button', class: 'small', onclick: () => void load() }, 'Reload the item')));
            return;
          }
          const changed = [...wanted].filter(([name, values]) => !sameSet(values, shown.get(name) ?? []));
          const removed = [...shown.keys()].filter((name) => !wanted.has(name));
          const single = [...shown].find(([, values]) => values.length === 1);
          const expected: Record<string, string> = single ? { 'Expected.1.Name': single[0], 'Expected.1.Value': single[1][0] ?? '' } : {};
          try {
            if (changed.length > 0) {
              const put: Record<string, string> = { Action: 'PutAttributes', DomainName: domain, ItemName: item, ...expected };
              let k = 0;
              for (const [name, values] of changed) {
                for (const [j, value] of values.entries()) {
                  k++;
                  put[`Attribute.${k}.Name`] = name;
                  put[`Attribute.${k}.Value`] = value;
                  if (j === 0) put[`Attribute.${k}.Replace`] = 'true';
                }
              }
              await action(put);
            }
            if (removed.length > 0) {
              const del: Record<string, string> = { Action: 'DeleteAttributes', DomainName: domain, ItemName: item };
              removed.forEach((name, k) => (del[`Attribute.${k + 1}.Name`] = name));
              await action(del);
            }
            await load();
            status.replaceChildren(notice('ok', `Saved: ${changed.length} attribute${changed.length === 1 ? '' : 's'} written, ${removed.length} removed.`));
          } catch (err) {
            status.replaceChildren(notice('error', `Save failed: ${describeError(err)} `, h('button', { type: 'button', class: 'small', onclick: () => void load() }, 'Reload the item')));
          }
        })();
      });
      return form;
    }

    async function load(): Promise<void> {
      try {
        shown = await getAttributes(domain, item);
      } catch (err) {
        body.replaceChildren(notice('error', describeError(err)));
        return;
      }
      const newName = h('input', { name: 'new-attribute', required: true, autocomplete: 'off' });
      const newValue = h('input', { name: 'new-value', autocomplete: 'off' });
      const addAttr = h('form', { class: 'inline', 'aria-label': 'Add an attribute' }, field('New attribute', newName), field('Value', newValue), h('button', { type: 'submit' }, 'Add attribute'));
      addAttr.addEventListener('submit', (e) => {
        e.preventDefault();
        void write(`Add ${newName.value}`, newName.value, put(newName.value, newValue.value, false));
      });
      const deleteItem = h('button', {
        type: 'button', class: 'danger',
        onclick: () =>
          void (async () => {
            if (!(await confirmDialog(`Delete item ${item} with all its attributes?`, 'Delete item'))) return;
            // Every attribute and value shown must still be there, and nothing else: read again
            // consistently, then delete conditionally on one single-valued attribute to narrow the
            // remaining window to the time between that read and the write.
            const now = await getAttributes(domain, item).catch(() => undefined);
            const difference = now === undefined ? ['the item could not be read again'] : itemDifference(shown, now);
            if (difference.length > 0) {
              status.replaceChildren(
                notice('error', `Not deleted: the item changed since it was shown (${difference.join('; ')}). `, h('button', { type: 'button', class: 'small', onclick: () => void load() }, 'Reload the item')),
              );
              return;
            }
            const single = [...shown].find(([, values]) => values.length === 1);
            await write('Delete item', single?.[0] ?? '', { Action: 'DeleteAttributes' });
          })(),
      }, 'Delete item');
      if (shown.size === 0) {
        body.replaceChildren(notice('empty', 'This item has no attributes, so it does not exist (SimpleDB keeps no empty items). Add an attribute to create it.'), addAttr);
        return;
      }
      body.replaceChildren(
        h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            { class: 'attributes' },
            h('caption', {}, `${shown.size} attributes, read with ConsistentRead; edits are conditional on the values shown`),
            h('thead', {}, h('tr', {}, ...['Attribute', 'Values', 'Replace all values with', 'Add a value'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, ...[...shown].map(([n, v]) => attributeRow(n, v))),
          ),
        ),
        addAttr,
        jsonEditor(),
        h('p', {}, deleteItem),
      );
    }
    void load();
  };
}
