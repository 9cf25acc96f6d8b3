import type { ConsistencyState, FaultRule } from '../../core/wire.js';
import { ACTIONS, control } from './api.js';
import { field, h, notice } from './dom.js';
import { describeError } from './domains.js';

const effectOf = (r: FaultRule): string =>
  r.error !== undefined ? `error ${r.error}` : r.loseResponse !== undefined ? `lose response (${r.loseResponse})` : `delay ${r.delayMs} ms ${r.phase ?? 'before'}`;

/** Consistency and fault rules through the same control routes as curl and emu.control. */
export function shapeView(root: HTMLElement): () => void {
  const consistencyStatus = h('div', { 'aria-live': 'polite' });
  const stateLine = h('p', { class: 'meta', role: 'status' });
  const mode = h('select', { name: 'mode' }, ...['consistent', 'eventual'].map((m) => h('option', { value: m }, m)));
  const staleness = h('input', { name: 'maxStalenessMs', type: 'number', min: 0, step: 1 });
  const modeForm = h('form', { class: 'inline', 'aria-label': 'Consistency mode' }, field('Mode', mode), field('Max staleness (ms)', staleness), h('button', { type: 'submit' }, 'Apply'));
  const freeze = h('button', { type: 'button' }, 'Freeze');
  const thaw = h('button', { type: 'button' }, 'Thaw');

  const faultStatus = h('div', { 'aria-live': 'polite' });
  const faultList = h('div', {});
  const fAction = h('select', { name: 'fault-action' }, h('option', { value: '' }, 'any'), ...ACTIONS.map((a) => h('option', { value: a }, a)));
  const fDomain = h('input', { name: 'fault-domain', autocomplete: 'off' });
  const fItem = h('input', { name: 'fault-item', autocomplete: 'off' });
  const fEffect = h(
    'select',
    { name: 'fault-effect' },
    h('option', { value: 'error' }, 'answer an error'),
    h('option', { value: 'reset' }, 'lose the response: reset the connection'),
    h('option', { value: '503' }, 'lose the response: 503 after the write'),
    h('option', { value: 'delay' }, 'delay'),
  );
  const fError = h('input', { name: 'fault-error', autocomplete: 'off', value: 'ServiceUnavailable' });
  const fDelay = h('input', { name: 'fault-delay', type: 'number', min: 0, value: '500' });
  const fCount = h('input', { name: 'fault-count', type: 'number', min: 1 });
  const fProbability = h('input', { name: 'fault-probability', type: 'number', min: 0, max: 1, step: 'any' });
  const faultForm = h(
    'form',
    { class: 'filters', 'aria-label': 'Add a fault rule' },
    field('Action', fAction),
    field('Domain', fDomain),
    field('Item pattern', fItem, '* and ? match'),
    field('Effect', fEffect),
    field('Error code', fError, 'with “answer an error”'),
    field('Delay (ms)', fDelay, 'with “delay”'),
    field('Times', fCount, 'empty: every time'),
    field('Probability', fProbability, '0 to 1; empty: always'),
    h('button', { type: 'submit' }, 'Add rule'),
  );

  root.append(
    h('h1', {}, 'Shape the traffic'),
    h('h2', {}, 'Consistency'),
    h('p', {}, 'How reads without ConsistentRead=true see the store. The console’s own reads are consistent.'),
    stateLine,
    modeForm,
    h('div', { class: 'row' }, freeze, thaw),
    consistencyStatus,
    h('h2', {}, 'Fault rules'),
    h('p', {}, 'Applied to protocol requests in order; the console’s own requests are never faulted.'),
    faultList,
    faultForm,
    faultStatus,
  );

  const showState = (s: ConsistencyState) => {
    stateLine.replaceChildren(
      `Mode: ${s.mode}${s.mode === 'frozen' ? ` at write #${s.frozenAtSeq ?? 0} (thaw returns to ${s.thawTo ?? 'consistent'})` : ''}; max staleness ${s.maxStalenessMs} ms; latest write #${s.latestSeq}; seed ${s.seed}`,
    );
    if (s.mode !== 'frozen') mode.value = s.mode;
    staleness.value = String(s.maxStalenessMs);
  };
  const consistency = async (method: string, path: string, body?: unknown) => {
    try {
      showState(await control<ConsistencyState>(method, path, body));
      if (method !== 'GET') consistencyStatus.replaceChildren(notice('ok', 'Applied.'));
    } catch (err) {
      consistencyStatus.replaceChildren(notice('error', describeError(err)));
    }
  };
  modeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void consistency('PUT', 'consistency', { mode: mode.value, maxStalenessMs: Number(staleness.value) });
  });
  freeze.addEventListener('click', () => void consistency('POST', 'consistency/freeze'));
  thaw.addEventListener('click', () => void consistency('POST', 'consistency/thaw'));

  const drawFaults = (rules: FaultRule[]) => {
    if (rules.length === 0) {
      faultList.replaceChildren(notice('empty', 'No fault rules: every request runs normally.'));
      return;
    }
    faultList.replaceChildren(
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          {},
          h('caption', {}, `${rules.length} fault rule${rules.length === 1 ? '' : 's'}`),
          // The last column holds each rule's Remove button: named for screen readers, as in the domains table.
          h('thead', {}, h('tr', {}, ...['Rule', 'Matches', 'Effect', 'Limits', 'Matched', 'Fired'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
          h(
            'tbody',
            {},
            ...rules.map((r) =>
              h(
                'tr',
                { 'data-rule': r.id },
                h('th', { scope: 'row' }, r.id),
                h('td', {}, [r.action ?? 'any action', r.domain ? `domain ${r.domain}` : '', r.item ? `item ${r.item}` : ''].filter(Boolean).join(', ')),
                h('td', {}, effectOf(r)),
                h('td', {}, [r.count !== undefined ? `${r.count} times` : '', r.skip ? `after ${r.skip}` : '', r.probability !== undefined ? `p=${r.probability}` : ''].filter(Boolean).join(', ') || '—'),
                h('td', { class: 'num' }, r.matched),
                h('td', { class: 'num' }, r.fired),
                h('td', {}, h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove rule ${r.id}`, onclick: () => void removeRule(r.id) }, 'Remove')),
              ),
            ),
          ),
        ),
      ),
    );
  };
  const loadFaults = async () => {
    try {
      drawFaults((await control<{ faults: FaultRule[] }>('GET', 'faults')).faults);
    } catch (err) {
      faultList.replaceChildren(notice('error', describeError(err)));
    }
  };
  const removeRule = async (id: string) => {
    try {
      await control('DELETE', `faults/${encodeURIComponent(id)}`);
      faultStatus.replaceChildren(notice('ok', `Removed ${id}.`));
    } catch (err) {
      faultStatus.replaceChildren(notice('error', describeError(err)));
    }
    await loadFaults();
  };
  faultForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const rule: Record<string, unknown> = {};
    if (fAction.value) rule.action = fAction.value;
    if (fDomain.value) rule.domain = fDomain.value;
    if (fItem.value) rule.item = fItem.value;
    if (fEffect.value === 'error') rule.error = fError.value;
    else if (fEffect.value === 'delay') rule.delayMs = Number(fDelay.value);
    else rule.loseResponse = fEffect.value;
    if (fCount.value) rule.count = Number(fCount.value);
    if (fProbability.value) rule.probability = Number(fProbability.value);
    void (async () => {
      try {
        const added = await control<{ faults: FaultRule[] }>('POST', 'faults', rule);
        faultStatus.replaceChildren(notice('ok', `Added ${added.faults.map((r) => r.id).join(', ')}.`));
      } catch (err) {
        faultStatus.replaceChildren(notice('error', describeError(err)));
      }
      await loadFaults();
    })();
  });
  void consistency('GET', 'consistency');
  void loadFaults();
  // The rules' counters move as requests arrive: refreshed in place every second, so neither a
  // focused button nor a half-typed rule is redrawn away.
  const timer = setInterval(() => {
    void control<{ faults: FaultRule[] }>('GET', 'faults').then(
      ({ faults }) => {
        for (const r of faults) {
          const cells = faultList.querySelectorAll(`tr[data-rule="${CSS.escape(r.id)}"] td.num`);
          if (cells[0]) cells[0].textContent = String(r.matched);
          if (cells[1]) cells[1].textContent = String(r.fired);
        }
      },
      () => undefined,
    );
  }, 1000);
  return () => clearInterval(timer);
}
