import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checked-in transcript fixtures (how each was made: test/fixtures/transcripts/README*.md). */
export const TRANSCRIPT_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/transcripts');
