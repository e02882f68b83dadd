// The web view's share of the yaml package and zod (about 170 modules): the scenario loaders
// (the page's list of scenarios, playing one) and the schemas that check what the page sends.
// They are loaded by the first request the web server answers, or by an export, not when the
// web view starts: right after the lab's listeners open, a load of that size would keep the
// first clients waiting for their greeting.
import type * as TopologyLoad from '../topology/load.ts';
import type * as ScenarioLoad from '../scenario/load.ts';
import type * as Requests from './requests.ts';

type WebModules = typeof TopologyLoad & typeof ScenarioLoad & typeof Requests;

let loading: Promise<void> | undefined;
let modules: WebModules | undefined;

export function loadWebModules(): Promise<void> {
  loading ??= Promise.all([import('../topology/load.ts'), import('../scenario/load.ts'), import('./requests.ts')]).then(([topology, scenario, requests]) => {
    modules = { ...topology, ...scenario, ...requests };
  });
  return loading;
}

/** The modules, once loadWebModules() has resolved. */
export function webModules(): WebModules {
  if (!modules) throw new Error('the web view used its loaders before loadWebModules() resolved');
  return modules;
}
