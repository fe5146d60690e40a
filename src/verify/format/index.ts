export { toVerifyText, type TextColors } from './text.js';
export { toVerifyJson, VERIFY_REPORT_SCHEMA_VERSION, type VerifyJsonReport } from './json.js';
export { toVerifyJunit } from './junit.js';
