import type { EvidenceCriterion } from '../../jit/types.js';
import type { FormatDef } from '../format.js';
import { arr, isObj, str, type Obj } from '../json-shapes.js';

const OUTCOMES = new Set(['pass', 'fail', 'partial']);

/**
 * The skvm-jit "simple report" an agent writes about its own run (spec §5.6 item 2):
 * `{task?, outcome?: pass|fail|partial, issues?: string|string[], skill_feedback?}`. A `fail`
 * or `partial` becomes the synthetic `agent-reported` criterion (score 0 or 0.5).
 */
export const simpleReport: FormatDef = {
  format: 'simple-report',
  describe: 'simple report JSON ({task?, outcome?: pass|fail|partial, issues?, skill_feedback?})',
  document: {
    matches: (v) => isObj(v) && v.type === undefined && ['task', 'outcome', 'issues', 'skill_feedback'].some((k) => k in v),
    read(v, b) {
      const r = v as Obj;
      const outcome = str(r.outcome);
      const issues = typeof r.issues === 'string' ? [r.issues] : arr(r.issues).filter((i): i is string => typeof i === 'string');
      const feedback = str(r.skill_feedback);
      const task = str(r.task);
      if (task) b.user(task);
      const reply = [
        outcome ? `Outcome: ${outcome}` : '',
        issues.length ? `Issues:\n${issues.map((i) => `- ${i}`).join('\n')}` : '',
        feedback ? `Skill feedback:\n${feedback}` : '',
      ].filter((s) => s);
      if (reply.length) b.assistant(reply.join('\n\n'));
      if (outcome && OUTCOMES.has(outcome)) b.setOutcome(outcome as 'pass' | 'fail' | 'partial', issues.join('\n'));
      else if (outcome) b.warn(`simple report: unknown outcome "${outcome}" (expected pass, fail or partial)`);
      if (outcome === 'fail' || outcome === 'partial') b.criteria = [agentReported(outcome, issues, feedback)];
    },
  },
};

function agentReported(outcome: 'fail' | 'partial', issues: string[], feedback: string | undefined): EvidenceCriterion {
  const details = [...issues.map((i) => `- ${i}`), ...(feedback ? [`Feedback: ${feedback}`] : [])].join('\n');
  return {
    id: 'agent-reported',
    name: 'agent-reported',
    method: 'custom',
    weight: 1,
    score: outcome === 'partial' ? 0.5 : 0,
    passed: false,
    ...(details ? { details } : {}),
  };
}
