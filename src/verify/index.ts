/** `verify`: check a live MCP server against SEP-2567, and record and replay conversations. */
export { verifyServer, type VerifyOptions } from './verify.js';
export { replayConversation } from './replay.js';
export { recordConversation, startHttpRecorder, type RecordOptions, type HttpRecorder } from './record.js';
export { readConversation, type Conversation, type RecordedStep } from './conversation.js';
export { VERIFY_CHECKS, type VerifyCheckId } from './checks.js';
export { VerifyError } from './errors.js';
export { parseHeaders } from './connect.js';
export { handleWeaknesses, type HandleWeakness } from './handle-entropy.js';
export { failures, type VerifyTarget, type HttpTarget, type StdioTarget, type VerifyReport, type CheckOutcome, type OutcomeStatus } from './types.js';
export { toVerifyText, toVerifyJson, toVerifyJunit, VERIFY_REPORT_SCHEMA_VERSION, type VerifyJsonReport } from './format/index.js';
export { readScenario, type Scenario, type ScenarioCall } from './scenario.js';
