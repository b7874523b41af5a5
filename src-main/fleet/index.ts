/**
 * What `kiln fleet` needs, loaded behind `await import()`: fleet settings from the command line, the fleet view
 * read back from the broker, and its CSV. Stations reach their broker through fleet-link.ts (service side).
 */
export { fleetCsv } from './fleet-view';
export { readFleet } from './fleet-watch';
export { parseFleetSettings } from './settings';
