/** Agent transcripts → Evidence, and discovery of recent sessions (spec runtime §5.6; notes/i10-contracts.md). */
export type { TranscriptFormat, TranscriptTurn, ParsedTranscript, TranscriptSummary, DiscoverableHarness, OutcomeStatus } from './types.js';
export { parseTranscriptFile, DOCUMENT_MAX_BYTES } from './parse.js';
export { transcriptToEvidence, NO_TASK_PROMPT } from './evidence.js';
export { discoverTranscripts, type DiscoverOptions } from './discover.js';
export { CAPS as TRANSCRIPT_CAPS } from './builder.js';
