// Placeholder until the Select language lands: answers a well-formed error.
import { errors } from '../protocol/errors.js';
import type { Action } from './types.js';

export const selectAction: Action = {
  name: 'Select',
  handle() {
    throw errors.invalidQueryExpression();
  },
};
