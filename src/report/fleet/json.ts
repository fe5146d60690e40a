import type { FleetReport } from '../../fleet/fleet.js';

/** Bumped whenever a field changes meaning or goes away; adding fields keeps the version. */
export const FLEET_REPORT_SCHEMA_VERSION = 1;

export interface FleetJsonReport extends FleetReport {
  schemaVersion: typeof FLEET_REPORT_SCHEMA_VERSION;
  tool: { name: 'mcp-sessionless'; version: string };
}

export function toFleetJson(report: FleetReport, version: string): FleetJsonReport {
  return { schemaVersion: FLEET_REPORT_SCHEMA_VERSION, tool: { name: 'mcp-sessionless', version }, ...report };
}
