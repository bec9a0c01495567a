/**
 * Fleet bring-up and teardown: engines (mock, command template, external) and a router, as child
 * processes on free loopback ports with their logs in the run folder.
 * @module
 */
export {
  expandTemplate,
  type Fleet,
  type FleetMember,
  optionArgs,
  startFleet,
  type StartFleetOptions,
} from "./fleet.ts";
export {
  type EngineGroupSpec,
  type FleetSpec,
  type FleetSpecInput,
  fleetSpecSchema,
  formatZodIssue,
  loadFleetSpec,
  parseFleetSpec,
  readStructuredFile,
  type RouterSpec,
} from "./fleet_spec.ts";
export { ManagedProcess, type ManagedProcessOptions } from "./managed_process.ts";
export { ReadinessError, waitUntilReady, type WaitUntilReadyOptions } from "./readiness.ts";
export { findFreePort } from "./free_port.ts";
export { installSignalTeardown, track, untrack } from "./teardown.ts";
