/**
 * The fleet: stations publishing their records and live state to an MQTT broker (fleet-link), the outbox that
 * keeps the report the source of truth, and the fleet view read back from the broker.
 */
export { FleetLink } from './fleet-link';
export { readFleet, fleetCsv, type FleetView, type FleetStationView } from './fleet-view';
export { parseFleetSettings, type FleetSettings } from './settings';
