export { toFleetText } from './text.js';
export { toFleetMarkdown } from './markdown.js';
export { toFleetJson, FLEET_REPORT_SCHEMA_VERSION, type FleetJsonReport } from './json.js';
