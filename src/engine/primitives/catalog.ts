import { closestMatches } from '../util/closest.js';
import { NotFoundError } from '../util/errors.js';

/**
 * The 26 primitive capabilities SkVM profiles a model+harness against, in the reference's
 * order (which is also the order of ALL_PRIMITIVE_IDS). This module is the single source of
 * truth for primitive ids, their level meanings and the compiler's degradation guidance.
 *
 * The `degradations` sentences are injected into compiler prompts: each one tells the
 * compiler how to rewrite a skill so it asks one level less of that primitive.
 */

export const PRIMITIVE_CATEGORIES = ['generation', 'reasoning', 'tool_use', 'instruction_following'] as const;
export type PrimitiveCategory = (typeof PRIMITIVE_CATEGORIES)[number];

/** All capability levels; L0 = the capability is absent. */
export const LEVELS = ['L0', 'L1', 'L2', 'L3'] as const;
export type Level = (typeof LEVELS)[number];

/** The levels a probe (and a skill requirement) can ask for. */
export const PROBE_LEVELS = ['L1', 'L2', 'L3'] as const;
export type ProbeLevel = (typeof PROBE_LEVELS)[number];

/** One-step degradations, highest first. */
export const DEGRADATION_STEPS = ['L3->L2', 'L2->L1'] as const;
export type DegradationStep = (typeof DEGRADATION_STEPS)[number];

/** Shape of a primitive id (the reference's regex; not enforced on TCP/SCR keys). */
export const PRIMITIVE_ID_PATTERN = /^(gen|reason|tool|follow)\.\w+(\.\w+)?$/;

export interface Primitive {
  readonly id: string;
  readonly category: PrimitiveCategory;
  readonly description: string;
  /** What a probe at each level asks of the model, one line each. */
  readonly levels: Readonly<Record<ProbeLevel, string>>;
  /** How to lower a skill's demand by one level; null = cannot be degraded (substitute instead). */
  readonly degradations: Readonly<Record<DegradationStep, string | null>>;
}

const LEVEL_ORDER: Record<Level, number> = { L0: 0, L1: 1, L2: 2, L3: 3 };

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(LEVEL_ORDER, value);
}

/** Numeric rank of a level (L0 = 0 … L3 = 3). */
export function levelOrder(level: Level): number {
  return LEVEL_ORDER[level];
}

/** order(a) − order(b): negative when a is below b. */
export function compareLevel(a: Level, b: Level): number {
  return LEVEL_ORDER[a] - LEVEL_ORDER[b];
}

type Entry = [id: string, category: PrimitiveCategory, description: string, levels: [string, string, string], degrade: [string, string | null]];

const ENTRIES: Entry[] = [
  // ── generation ────────────────────────────────────────────────────────────────
  [
    'gen.code.python',
    'generation',
    'Writing Python programs',
    [
      'A single-file script using core syntax and plain file reading and writing.',
      'Scripts that rely on standard-library modules such as csv, json, re and os.',
      'Scripts built on third-party packages such as pandas, numpy or requests.',
    ],
    [
      'Spell out the exact import lines and the basic call pattern for every third-party library the skill uses, and avoid chained or fluent API calls.',
      'Replace standard-library parsing with explicit open/read/write code and split()/strip() string handling, showing the exact pattern instead of relying on csv, json or re.',
    ],
  ],
  [
    'gen.code.javascript',
    'generation',
    'Writing JavaScript (Node.js) programs',
    [
      'A single-file Node script using basic syntax and the fs module.',
      'Scripts using Node built-in modules and ordinary npm packages.',
      'Asynchronous code with async/await and complex APIs such as the DOM or build tooling.',
    ],
    [
      'Rewrite asynchronous steps as synchronous calls or simple callbacks, and give a worked example for every npm package call.',
      'Limit the code to fs plus plain string operations, and write the exact code pattern for each step inline.',
    ],
  ],
  [
    'gen.code.shell',
    'generation',
    'Writing shell commands and scripts',
    [
      'Single basic commands such as ls, cat, grep and mkdir.',
      'Commands combined with pipes, redirection and loops.',
      'Complex pipelines built from sed, awk and xargs.',
    ],
    [
      'Replace sed, awk and xargs one-liners with simple loops and short pipes, splitting every long one-liner into several steps.',
      'Run one command per step and pass data between steps through intermediate files instead of pipes or loops.',
    ],
  ],
  [
    'gen.code.sql',
    'generation',
    'Writing SQL queries',
    [
      'SELECT queries with WHERE filters and basic aggregates.',
      'Queries using JOINs, GROUP BY, subqueries and window functions.',
      'Queries using CTEs across many tables, including optimization hints.',
    ],
    [
      'Express every CTE as a subquery or a temporary result table, and leave out optimizer hints.',
      'Break the work into a sequence of single-table queries, without subqueries or window functions.',
    ],
  ],
  [
    'gen.code.html',
    'generation',
    'Writing HTML markup',
    [
      'Basic documents made of headings, lists, links and paragraphs.',
      'Forms, tables, semantic elements and simple SVG.',
      'Complex SVG, responsive layouts and accessibility features.',
    ],
    [
      'Use table-based layouts and basic SVG shapes, and write every needed ARIA attribute out explicitly.',
      'Use only headings, lists, links and paragraphs, and give the exact HTML structure to produce.',
    ],
  ],
  [
    'gen.text.structured',
    'generation',
    'Producing structured text (JSON or YAML) that parses',
    [
      'Small, flat JSON or YAML under 500 bytes.',
      'Nested JSON or YAML of up to about 5 KB.',
      'Large, deeply nested JSON or YAML over 5 KB.',
    ],
    [
      'Emit the data in chunks of under 5 KB each and flatten deep nesting.',
      'Use flat key-value objects only, encoding nesting as dotted keys such as address.city.',
    ],
  ],
  [
    'gen.text.long',
    'generation',
    'Producing long output without truncation',
    [
      'A complete output under 1 KB.',
      'Outputs of 1–5 KB that keep their structure.',
      'Outputs over 5 KB with all delimiters and markers intact.',
    ],
    [
      'Produce the long output over several sequential steps of under 5 KB each, marking where each part starts and where the next one continues.',
      'Keep every single output under 1 KB by splitting the content into independent pieces.',
    ],
  ],
  [
    'gen.text.prose',
    'generation',
    'Writing prose',
    [
      'A short, coherent paragraph.',
      'Several paragraphs in a consistent tone.',
      'Long-form writing organised into sections with transitions.',
    ],
    [
      'Write independent sections, each under its own heading, and drop the transitions between sections.',
      'Ask for a single paragraph and supply its topic sentence and the points it must cover.',
    ],
  ],
  [
    'gen.regex',
    'generation',
    'Writing regular expressions',
    [
      'Patterns made of literals, character classes and quantifiers.',
      'Patterns with groups, alternation and anchors.',
      'Patterns with lookahead, lookbehind and named groups.',
    ],
    [
      'Match broadly first, then filter the matches with a second regex or a plain string check instead of lookarounds.',
      'Apply several simple regexes one after another instead of one regex with groups or alternation.',
    ],
  ],
  // ── reasoning ─────────────────────────────────────────────────────────────────
  [
    'reason.arithmetic',
    'reasoning',
    'Doing arithmetic correctly',
    [
      'Single-step calculations.',
      'Multi-step calculations such as averages and weighted sums.',
      'Compound calculations such as chained percentages and financial formulas.',
    ],
    [
      'List every intermediate step with its formula, and record each intermediate result before moving on.',
      'Reduce the work to single-step operations by precomputing values or delegating the calculation to code.',
    ],
  ],
  [
    'reason.logic',
    'reasoning',
    'Logical deduction',
    [
      'Simple if-then deduction.',
      'Satisfying several constraints at once.',
      'Finding the optimal answer under constraints.',
    ],
    [
      'First enumerate every option that satisfies the constraints, then choose the best one by an explicit rule.',
      'Turn the problem into a chain of if-then checks that each test a single constraint.',
    ],
  ],
  [
    'reason.spatial',
    'reasoning',
    'Spatial and geometric reasoning',
    [
      'Basic 2D distance and direction.',
      'Geometric calculations such as areas and transformations.',
      'Spherical geometry and 3D reasoning.',
    ],
    [
      'Use 2D approximations or spell out the exact formulas, or delegate the computation to code.',
      'Provide the explicit formulas and restrict the model to basic distance and direction.',
    ],
  ],
  [
    'reason.planning',
    'reasoning',
    'Planning multi-step work',
    [
      'Ordering 3–5 steps that depend on each other.',
      'Decomposing a goal and spotting steps that can run in parallel.',
      'Plans with conditional branches and error recovery.',
    ],
    [
      'Write the branches out as an explicit decision tree and state the fallback for each failure up front.',
      'Give a fixed, linear sequence of 3–5 steps to follow.',
    ],
  ],
  [
    'reason.analysis',
    'reasoning',
    'Analysing code',
    [
      'Explaining what a short snippet does.',
      'Finding bugs in moderately sized code.',
      'Root-causing a failure across several files.',
    ],
    [
      'Name the specific files to inspect and give their entry points and call chains.',
      'Paste short, self-contained snippets inline instead of asking the model to explore the code.',
    ],
  ],
  // ── tool use ──────────────────────────────────────────────────────────────────
  [
    'tool.file.read',
    'tool_use',
    'Reading files with tools',
    [
      'Reading one file by its path.',
      'Reading several files, including handling a missing one.',
      'Reading large files with offsets or pagination.',
    ],
    [
      'Split large files into smaller ones beforehand, or give the exact offsets to read.',
      'Give exact file paths up front and read one file at a time.',
    ],
  ],
  [
    'tool.file.write',
    'tool_use',
    'Writing files with tools',
    [
      'Writing a short file (under 1 KB).',
      'Writing a larger file (1–10 KB).',
      'Writing several files in sequence.',
    ],
    [
      'Write one file at a time and confirm each write before starting the next.',
      'Keep each file under 1 KB by writing larger content in several chunks.',
    ],
  ],
  [
    'tool.exec',
    'tool_use',
    'Executing commands',
    [
      'Running a single command.',
      'Writing a script, running it and saving its output.',
      'Chaining several execution steps, each feeding the next.',
    ],
    [
      'Write and run one script at a time, and check its output before the next step.',
      'Give the exact single command to run.',
    ],
  ],
  [
    'tool.call.format',
    'tool_use',
    'Formatting tool-call arguments',
    [
      'Tool calls with simple string arguments.',
      'Tool calls with structured arguments such as objects and arrays.',
      'Tool calls with nested parameters and special characters.',
    ],
    [
      'Flatten nested parameters and escape special characters in advance.',
      'Use simple string arguments only, serialising any structured value into a string.',
    ],
  ],
  [
    'tool.call.batch',
    'tool_use',
    'Batching parallel tool calls',
    [
      'Issuing two reads in parallel.',
      'Issuing five parallel reads and aggregating the results.',
      'Batching calls whose results must be reasoned about together.',
    ],
    [
      'Process each result independently, then combine them in an explicit final aggregation step.',
      'Replace the batch with sequential reads of one source at a time, at most two in a row.',
    ],
  ],
  [
    'tool.web',
    'tool_use',
    'Calling web APIs',
    [
      'A simple GET request, extracting one field.',
      'GET requests with query parameters and parsing the response.',
      'Combining several APIs and following pagination.',
    ],
    [
      'Avoid pagination by requesting larger pages (for example a bigger per_page) and call one API at a time.',
      'Give the exact URL to fetch and the single field to extract from the response.',
    ],
  ],
  [
    'tool.browser',
    'tool_use',
    'Driving a web browser',
    [
      'Navigating to a page, waiting for it and extracting text.',
      'Filling forms, clicking and handling dynamic content.',
      'Multi-step workflows that include authentication.',
    ],
    [
      'Restrict the work to single-page actions and take care of credentials or login before the workflow starts.',
      null,
    ],
  ],
  // ── instruction following ─────────────────────────────────────────────────────
  [
    'follow.format',
    'instruction_following',
    'Following output-format instructions',
    [
      'Output in a named format such as JSON.',
      'Output that conforms to a specific schema.',
      'Output that satisfies several format constraints at once.',
    ],
    [
      'Impose one format constraint at a time and enforce the remaining ones in a post-processing step.',
      'Provide an exact output template with placeholders to fill in.',
    ],
  ],
  [
    'follow.constraint',
    'instruction_following',
    'Obeying explicit constraints',
    [
      'Following a single MUST constraint.',
      'Following 3–5 constraints at the same time.',
      "Following constraints that go against the model's prior habits or beliefs.",
    ],
    [
      "Rephrase constraints that go against the model's habits as positive, direct instructions.",
      'Keep only the single most critical constraint in the instructions and verify the others as checks after the output is produced.',
    ],
  ],
  [
    'follow.procedure',
    'instruction_following',
    'Following a step-by-step procedure',
    [
      'Following 3 sequential steps.',
      'Following 5–7 steps with conditional branches.',
      'Following procedures with loops and verification.',
    ],
    [
      'Unroll loops into a fixed number of explicit iterations and state the stop criteria inline.',
      'Reduce the procedure to 3 sequential steps that cover only the most common path.',
    ],
  ],
  [
    'follow.delegation',
    'instruction_following',
    'Delegating computation to code',
    [
      'Writing and running a script when told to.',
      'Preferring code over mental computation.',
      'Delegating to code consistently whenever it is the obvious choice.',
    ],
    [
      "Mark explicitly which computations must be done in code and add trigger phrases such as 'compute this with a script'.",
      'Provide an exact script template and instruct the model to always use code for the computation.',
    ],
  ],
  [
    'follow.style',
    'instruction_following',
    'Keeping a requested writing style',
    [
      'Switching between a formal and a casual tone.',
      'Writing in a specific persona or register.',
      'Keeping one style consistent across long output.',
    ],
    [
      'Split the output into short sections and repeat a style reminder before each one.',
      'Reduce the style requirement to a simple formal-or-casual choice and give example words to use.',
    ],
  ],
];

function freezeEntry([id, category, description, [l1, l2, l3], [d32, d21]]: Entry): Primitive {
  return Object.freeze({
    id,
    category,
    description,
    levels: Object.freeze({ L1: l1, L2: l2, L3: l3 }),
    degradations: Object.freeze({ 'L3->L2': d32, 'L2->L1': d21 }),
  });
}

const CATALOG: readonly Primitive[] = Object.freeze(ENTRIES.map(freezeEntry));
const BY_ID: ReadonlyMap<string, Primitive> = new Map(CATALOG.map((p) => [p.id, p]));

/** Every primitive id in catalog order. */
export const ALL_PRIMITIVE_IDS: readonly string[] = Object.freeze(CATALOG.map((p) => p.id));

/** The whole catalog in reference order (frozen). */
export function allPrimitives(): readonly Primitive[] {
  return CATALOG;
}

export function getPrimitive(id: string): Primitive | undefined {
  return BY_ID.get(id);
}

export function isPrimitiveId(id: string): boolean {
  return BY_ID.has(id);
}

/** Like getPrimitive, but an unknown id is a NotFoundError naming the closest ids. */
export function requirePrimitive(id: string): Primitive {
  const p = BY_ID.get(id);
  if (p) return p;
  throw new NotFoundError('primitive', id, closestMatches(id, ALL_PRIMITIVE_IDS, 3), 'primitives_list shows all 26 primitive ids.');
}

export function primitivesByCategory(category: PrimitiveCategory): Primitive[] {
  return CATALOG.filter((p) => p.category === category);
}

/** Catalog position of an id (unknown ids sort after all known ones). */
export function primitiveIndex(id: string): number {
  const i = ALL_PRIMITIVE_IDS.indexOf(id);
  return i < 0 ? ALL_PRIMITIVE_IDS.length : i;
}

/** The one-line meaning of `level` for a primitive; L0 means the capability is absent. */
export function levelMeaning(primitive: Primitive, level: Level): string {
  return level === 'L0' ? 'Not demonstrated at any level.' : primitive.levels[level];
}
