import express from 'express';
import { VERSION } from '../../core/version.js';
import type { Store } from '../../store/store.js';
import { controlAccount } from '../guard.js';

/** Health and reset: what a test harness asks of any emulator. */
export function adminRoutes(store: Store): express.Router {
  const r = express.Router();
  r.get('/_simpledb/health', (_req, res) => {
    res.json({ status: 'ok', version: VERSION });
  });
  // moto's reset route too, so test suites written against moto reset us unchanged.
  r.post(['/_simpledb/reset', '/moto-api/reset'], (_req, res) => {
    const account = controlAccount(res);
    if (account === '') store.reset();
    else store.resetAccount(account);
    res.json({ status: 'reset' });
  });
  return r;
}
