import type { HistoryEntry, RoundResult, SpendSlice } from '../jit/types.js';

/**
 * analysis.md (spec runtime §7.2): the human-readable account of an optimization, in the
 * reference's section order so people reading either tool's proposals find the same things.
 */

function score(v: number | null): string {
  return v === null ? '—' : v.toFixed(3);
}

function spend(s: SpendSlice | null): string {
  if (!s) return '—';
  const tokens = s.tokens.input + s.tokens.output + s.tokens.cacheRead + s.tokens.cacheWrite;
  return `${tokens} / $${s.costUsd.toFixed(4)}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderAnalysis(f: { entries: HistoryEntry[]; rounds: RoundResult[]; bestRound: number; bestRoundReason: string }): string {
  const withTest = f.rounds.some((r) => r.testScore !== null);
  const out: string[] = ['# Optimization Analysis', '', '## Best Round', '', `**Round ${f.bestRound}** — ${f.bestRoundReason}`, '', '## Round Summary', ''];
  const head = ['Round', 'Train Score', 'Train Pass', ...(withTest ? ['Test Score', 'Test Pass'] : []), 'Target Agent', 'Eval Judge', 'Optimizer'];
  out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const r of f.rounds) {
    const row = [
      String(r.round),
      score(r.trainScore),
      `${r.trainPassed}/${r.trainTotal}`,
      ...(withTest ? [score(r.testScore), `${r.testPassed}/${r.testTotal}`] : []),
      spend(r.targetAgent),
      spend(r.evalJudge),
      spend(r.optimizer),
    ];
    out.push(`| ${row.join(' | ')} |`);
  }
  out.push('', '## Optimization Rounds', '');
  if (f.entries.length === 0) out.push('(no optimizer rounds)', '');
  for (const e of f.entries) {
    out.push(`### Round ${e.round}`, '');
    out.push(`- Timestamp: ${e.timestamp}`);
    out.push(`- Confidence: ${e.confidence}`);
    out.push(`- Train score: ${score(e.trainScore)}; test score: ${score(e.testScore)}`);
    out.push(`- Improved: ${e.improved === null ? 'n/a' : e.improved ? 'yes' : 'no'}`);
    if (e.infraBlocked) out.push(`- Infra-blocked: ${e.blockedReason ?? 'yes'}`);
    out.push(`- Files: ${e.changedFiles.length > 0 ? e.changedFiles.join(', ') : '(none)'}`);
    out.push('', `**Root cause:** ${e.rootCause}`, '', `**Reasoning:** ${e.reasoning}`, '');
    if (e.changes.length > 0) {
      out.push('**Changes:**', '');
      for (const c of e.changes) {
        out.push(`- \`${cell(c.file)}\`${c.section ? ` (${cell(c.section)})` : ''}: ${cell(c.description)} — generality: ${cell(c.generality)}`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}
