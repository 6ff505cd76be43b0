/**
 * What one `net` module instance shares between its Socket and Server
 * classes: the backend, the live handle tables and the module defaults.
 *
 * Every `createNetModule(backend)` makes its own context, so two `net`
 * objects (two sandboxes, two policies) never share a table.
 */
import type { Backend } from "../host/backend.ts";

/**
 * The receiver of backend events for one handle: a Socket or a Server (the
 * module's dispatch tells them apart with instanceof, so neither carries a
 * member node:net doesn't have).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface HandleOwner {}

export interface NetContext {
  readonly backend: Backend;
  /** handle -> owner, for every handle the backend may still report on */
  readonly owners: Map<number, HandleOwner>;
  autoSelectFamily: boolean;
  autoSelectFamilyAttemptTimeout: number;
}

export function createContext(backend: Backend): NetContext {
  return {
    backend,
    owners: new Map(),
    autoSelectFamily: true,
    autoSelectFamilyAttemptTimeout: 250,
  };
}
