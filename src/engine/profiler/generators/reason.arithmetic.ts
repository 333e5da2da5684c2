import { generatorByLevel, numbersIn, textProbe, type ProbeRng, type TextTask } from '../toolkit.js';
import { labelled, numberCheck } from '../gen/answer.js';
import { fixed2, roundTo } from '../gen/numbers.js';

/**
 * reason.arithmetic — getting numbers right in the final answer (text pattern: the answer is
 * the agent's final text).
 *  L1  one operation (a multiplication, a division or percentage rounded to cents, a money
 *      subtraction); `Answer: <number>`. Integers exact; rounded results within half a cent of
 *      the exact value (so truncating instead of rounding fails).
 *  L2  several steps: a weighted average, an invoice (discount, then tax, then untaxed shipping),
 *      a pooled average of groups, or the average speed of a trip; within one cent.
 *  L3  compound: compound interest (balance + effective annual rate), a loan's monthly payment
 *      and total interest, or a chain of percentage changes (final value + net change); two
 *      labelled lines, each within the precision the prompt asks for.
 */

const ID = 'reason.arithmetic';

// ---------------------------------------------------------------------------------------------
// Answer parsing

/** The first number in a fragment; a unicode minus counts, and "decrease"-like words make it negative. */
function firstNumber(fragment: string | undefined): number | undefined {
  if (fragment === undefined) return undefined;
  const t = fragment.replace(/[\u2212\u2013]/g, '-').replace(/[$€£]/g, '');
  const ns = numbersIn(t);
  if (!ns.length) return undefined;
  const n = ns[0]!;
  if (n > 0 && /\b(decrease|decline|down|drop|loss|lower|fell|fall)\b/i.test(t)) return -n;
  return n;
}

/** The number on the `Answer:` line, else the last number of the reply. */
function answerNumber(text: string): number | undefined {
  const a = firstNumber(labelled(text, /answer|final answer/));
  if (a !== undefined) return a;
  const ns = numbersIn(text.replace(/[\u2212]/g, '-'));
  return ns.length ? ns[ns.length - 1] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Number helpers

/** Thousands separators, 2 decimals. */
const money = (x: number): string => roundTo(x, 2).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const intStr = (x: number): string => x.toLocaleString('en-US');

/** Fraction of the third-and-later decimals: x·100 − floor(x·100). */
const centFraction = (x: number): number => x * 100 - Math.floor(x * 100 + 1e-9);

function pickDistinct<T>(rng: ProbeRng, items: readonly T[], n: number): T[] {
  return rng.sample(items, n);
}

const PEOPLE = ['Maya', 'Jonas', 'Priya', 'Tomás', 'Leila', 'Oskar', 'Hana', 'Idris', 'Greta', 'Ravi', 'Noor', 'Felix', 'Ines', 'Kofi', 'Yuki', 'Marta'];

const ANSWER_RULE = 'Show brief working, then end with the line `Answer: <number>` (number only, no units).';

/** The closing instruction of a two-answer task: its labelled last lines. */
const endLines = (...forms: string[]): string => `Show your working, then end with exactly these lines:\n${forms.map((f) => `\`${f}\``).join('\n')}`;

// ---------------------------------------------------------------------------------------------
// L1 — one operation

function l1Multiply(rng: ProbeRng): TextTask {
  const a = rng.int(137, 9876);
  const b = rng.int(12, 98);
  const want = a * b;
  const who = rng.pick(PEOPLE);
  const ctx = rng.pick([
    `A warehouse holds ${b} pallets, and each pallet carries ${a} cans. How many cans is that?`,
    `A printing press turns out ${intStr(a)} sheets per hour. How many does it print in ${b} hours?`,
    `${who} orders ${b} boxes of screws with ${a} screws in every box. How many screws in all?`,
    `A stadium section has ${b} rows of ${a} seats each. How many seats in all?`,
  ]);
  // A carry slip in one column.
  const slip = rng.pick([10, 100, -10, -100]);
  return {
    prompt: `${ctx}\n${ANSWER_RULE}`,
    check: (t) => [numberCheck('value_correct', answerNumber(t), want, 0, String(want))],
    referenceText: `${intStr(a)} × ${b} = ${intStr(want)}\n\nAnswer: ${want}`,
    nearMissText: `${intStr(a)} × ${b} = ${intStr(want + slip)}\n\nAnswer: ${want + slip}`,
  };
}

function l1Divide(rng: ProbeRng): TextTask {
  for (;;) {
    const n = rng.int(6, 48);
    const total = rng.int(250, 9999);
    const exact = total / n;
    const f = centFraction(exact);
    // Rounding must go up by a clear margin, so truncating to cents is off by more than half a cent.
    if (f < 0.6 || f > 0.95) continue;
    const truncated = Math.floor(exact * 100) / 100;
    const ctx = rng.pick([
      `${intStr(total)} litres of water are shared equally among ${n} tanks. Litres per tank, to 2 decimal places?`,
      `A prize fund of $${intStr(total)} is split equally among ${n} winners. How much does each get? Round to the cent.`,
      `A ${intStr(total)}-metre cable is cut into ${n} pieces of equal length. Metres per piece, to 2 decimal places?`,
    ]);
    return {
      prompt: `${ctx}\n${ANSWER_RULE}`,
      check: (t) => [numberCheck('value_correct', answerNumber(t), exact, 0.005, `${fixed2(exact)} (exact ${exact.toFixed(4)})`)],
      referenceText: `${total} / ${n} = ${exact.toFixed(4)}…, which rounds to ${fixed2(exact)}.\n\nAnswer: ${fixed2(exact)}`,
      nearMissText: `${total} / ${n} = ${truncated.toFixed(2)}\n\nAnswer: ${truncated.toFixed(2)}`,
    };
  }
}

function l1Percent(rng: ProbeRng): TextTask {
  for (;;) {
    const p = rng.int(11, 89) + rng.pick([0.25, 0.5, 0.75, 0.4, 0.6]);
    const b = rng.int(120, 9800);
    const exact = (p * b) / 100;
    const rounded = (Math.round(p) * b) / 100;
    if (Math.abs(rounded - exact) < 0.05) continue;
    const ctx = rng.pick([
      `A charity with a budget of $${intStr(b)} spends ${p}% of it on transport. How many dollars is that, to the cent?`,
      `What is ${p}% of ${intStr(b)}? Round to 2 decimal places.`,
      `A fund of $${intStr(b)} puts ${p}% into bonds. How many dollars is that, to the cent?`,
    ]);
    return {
      prompt: `${ctx}\n${ANSWER_RULE}`,
      check: (t) => [numberCheck('value_correct', answerNumber(t), exact, 0.005, fixed2(exact))],
      referenceText: `${p}% of ${b} = ${b} × ${p} / 100 = ${fixed2(exact)}\n\nAnswer: ${fixed2(exact)}`,
      nearMissText: `Roughly ${Math.round(p)}% of ${b} = ${fixed2(rounded)}\n\nAnswer: ${fixed2(rounded)}`,
    };
  }
}

function l1Subtract(rng: ProbeRng): TextTask {
  const aC = rng.int(300000, 999999);
  const bC = rng.int(100000, aC - 1000);
  const want = (aC - bC) / 100;
  const a = aC / 100;
  const b = bC / 100;
  const who = rng.pick(PEOPLE);
  const ctx = rng.pick([
    `${who}'s account holds $${money(a)}. After paying a $${money(b)} bill, how much is left?`,
    `A shop took in $${money(a)} this week and spent $${money(b)} on stock. What is the difference?`,
  ]);
  const slip = rng.pick([1, -1, 10, -10, 0.1]);
  const wrong = roundTo(want + slip, 2);
  return {
    prompt: `${ctx}\n${ANSWER_RULE}`,
    check: (t) => [numberCheck('value_correct', answerNumber(t), want, 0.005, fixed2(want))],
    referenceText: `${money(a)} − ${money(b)} = ${money(want)}\n\nAnswer: ${fixed2(want)}`,
    nearMissText: `${money(a)} − ${money(b)} = ${money(wrong)}\n\nAnswer: ${fixed2(wrong)}`,
  };
}

// ---------------------------------------------------------------------------------------------
// L2 — several steps

const COMPONENTS = ['homework', 'quizzes', 'lab reports', 'a project', 'the midterm exam', 'the final exam', 'participation', 'a presentation', 'an essay', 'field work'];

/** Integer percentages ≥ 5 summing to 100. */
function weights(rng: ProbeRng, n: number): number[] {
  for (;;) {
    const cuts = new Set<number>();
    while (cuts.size < n - 1) cuts.add(rng.int(1, 19) * 5);
    const s = [0, ...[...cuts].sort((x, y) => x - y), 100];
    const w = s.slice(1).map((v, i) => v - s[i]!);
    if (w.every((x) => x >= 5)) return w;
  }
}

function l2Weighted(rng: ProbeRng): TextTask {
  for (;;) {
    const n = rng.int(4, 5);
    const parts = pickDistinct(rng, COMPONENTS, n);
    const w = weights(rng, n);
    const scores = parts.map(() => rng.int(48, 99) + (rng.next() < 0.5 ? 0.5 : 0));
    const want = scores.reduce((s, x, i) => s + (x * w[i]!) / 100, 0);
    const plain = scores.reduce((s, x) => s + x, 0) / n;
    if (Math.abs(plain - want) < 0.3) continue;
    const who = rng.pick(PEOPLE);
    const table = parts.map((p, i) => `- ${p}: ${scores[i]} (weight ${w[i]}%)`).join('\n');
    return {
      prompt: `${who}'s scores (out of 100):\n${table}\nWhat is the weighted-average course grade, to 2 decimal places?\n${ANSWER_RULE}`,
      check: (t) => [numberCheck('value_correct', answerNumber(t), want, 0.01, fixed2(want))],
      referenceText: `${parts.map((_p, i) => `${scores[i]} × ${w[i]! / 100}`).join(' + ')} = ${fixed2(want)}\n\nAnswer: ${fixed2(want)}`,
      nearMissText: `Average of the scores: ${scores.join(' + ')} = ${fixed2(plain * n)}, / ${n} = ${fixed2(plain)}\n\nAnswer: ${fixed2(plain)}`,
    };
  }
}

const GOODS = ['notebooks', 'desk lamps', 'cable ties', 'mugs', 'folders', 'headphones', 'markers', 'staplers', 'batteries', 'water bottles', 'USB sticks', 'chairs', 'plant pots', 'umbrellas'];

function l2Invoice(rng: ProbeRng): TextTask {
  for (;;) {
    const n = rng.int(3, 4);
    const goods = pickDistinct(rng, GOODS, n);
    const qty = goods.map(() => rng.int(2, 24));
    const price = goods.map(() => rng.int(150, 8999) / 100);
    const disc = rng.pick([5, 8, 10, 12, 15, 20, 25]);
    const tax = rng.pick([6, 7, 7.5, 8, 8.25, 9, 10, 12.5]);
    const ship = rng.int(500, 2500) / 100;
    const subtotal = qty.reduce((s, q, i) => s + q * price[i]!, 0);
    const discounted = subtotal * (1 - disc / 100);
    const want = discounted * (1 + tax / 100) + ship;
    // Plausible slip: tax computed on the subtotal before the discount.
    const wrong = discounted + (subtotal * tax) / 100 + ship;
    if (Math.abs(wrong - want) < 0.5) continue;
    const table = goods.map((g, i) => `- ${qty[i]} ${g} at $${price[i]!.toFixed(2)} each`).join('\n');
    return {
      prompt: `An order:\n${table}\nTake ${disc}% off the item subtotal, add ${tax}% sales tax on the discounted subtotal, then add $${ship.toFixed(2)} shipping (not taxed). What is the total, to the cent?\n${ANSWER_RULE}`,
      // Rounding the discount and the tax to cents along the way may move the total by a cent.
      check: (t) => [numberCheck('value_correct', answerNumber(t), want, 0.015, fixed2(want))],
      referenceText: `Subtotal ${fixed2(subtotal)}; after ${disc}% off ${fixed2(discounted)}; with ${tax}% tax ${fixed2(discounted * (1 + tax / 100))}; plus shipping ${fixed2(want)}.\n\nAnswer: ${fixed2(want)}`,
      nearMissText: `Subtotal ${fixed2(subtotal)}; discount ${fixed2(subtotal - discounted)}; tax ${fixed2((subtotal * tax) / 100)}; total ${fixed2(wrong)}.\n\nAnswer: ${fixed2(wrong)}`,
    };
  }
}

function l2Pooled(rng: ProbeRng): TextTask {
  for (;;) {
    const k = rng.int(3, 4);
    const sizes = Array.from({ length: k }, () => rng.int(8, 64));
    const avgs = sizes.map(() => rng.int(550, 950) / 10);
    const want = sizes.reduce((s, n, i) => s + n * avgs[i]!, 0) / sizes.reduce((s, n) => s + n, 0);
    const plain = avgs.reduce((s, a) => s + a, 0) / k;
    if (Math.abs(plain - want) < 0.3) continue;
    const label = rng.pick(['class', 'team', 'branch', 'shift']);
    const what = rng.pick(['test score', 'quality rating', 'satisfaction score']);
    const rows = sizes.map((n, i) => `- ${label} ${String.fromCharCode(65 + i)}: ${n} people, average ${avgs[i]!.toFixed(1)}`).join('\n');
    return {
      prompt: `Average ${what} per ${label}:\n${rows}\nWhat is the average over all people in all ${label === 'class' ? 'classes' : `${label}s`} together, to 2 decimal places?\n${ANSWER_RULE}`,
      check: (t) => [numberCheck('value_correct', answerNumber(t), want, 0.01, fixed2(want))],
      referenceText: `Total points ${fixed2(sizes.reduce((s, n, i) => s + n * avgs[i]!, 0))} over ${sizes.reduce((s, n) => s + n, 0)} people = ${fixed2(want)}\n\nAnswer: ${fixed2(want)}`,
      nearMissText: `Mean of the averages: ${fixed2(plain)}\n\nAnswer: ${fixed2(plain)}`,
    };
  }
}

function l2Speed(rng: ProbeRng): TextTask {
  for (;;) {
    const k = rng.int(3, 4);
    const dist = Array.from({ length: k }, () => rng.int(12, 180));
    const speed = Array.from({ length: k }, () => rng.int(30, 120));
    const time = dist.reduce((s, d, i) => s + d / speed[i]!, 0);
    const want = dist.reduce((s, d) => s + d, 0) / time;
    const plain = speed.reduce((s, v) => s + v, 0) / k;
    if (Math.abs(plain - want) < 0.5) continue;
    const who = rng.pick(PEOPLE);
    const legs = dist.map((d, i) => `- ${d} km at ${speed[i]} km/h`).join('\n');
    return {
      prompt: `${who} drives ${k} legs at steady speeds, without stopping between them:\n${legs}\nWhat is the average speed over the whole route in km/h, to 2 decimal places?\n${ANSWER_RULE}`,
      check: (t) => [numberCheck('value_correct', answerNumber(t), want, 0.01, fixed2(want))],
      referenceText: `Total distance ${dist.reduce((s, d) => s + d, 0)} km, total time ${time.toFixed(4)} h, average ${fixed2(want)} km/h.\n\nAnswer: ${fixed2(want)}`,
      nearMissText: `Average of the leg speeds: ${fixed2(plain)} km/h.\n\nAnswer: ${fixed2(plain)}`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// L3 — compound calculations

const COMPOUNDING: Array<[string, number]> = [
  ['monthly', 12],
  ['quarterly', 4],
  ['semi-annually', 2],
  ['daily (365 days a year)', 365],
  ['weekly (52 weeks a year)', 52],
];

function l3Compound(rng: ProbeRng): TextTask {
  const P = rng.int(20, 900) * 50;
  const r = rng.int(210, 895) / 100;
  const [how, m] = rng.pick(COMPOUNDING);
  const years = rng.int(3, 18);
  const balance = P * Math.pow(1 + r / 100 / m, m * years);
  const ear = (Math.pow(1 + r / 100 / m, m) - 1) * 100;
  const naive = P * Math.pow(1 + r / 100, years);
  const who = rng.pick(PEOPLE);
  return {
    prompt:
      `${who} deposits $${intStr(P)} at a nominal annual rate of ${r}%, compounded ${how}, and makes no other deposits or withdrawals.\n` +
      `1. What is the balance after exactly ${years} years, to the cent?\n2. What is the effective annual rate, as a percentage with 2 decimals?\n` +
      endLines('Balance: <amount>', 'Effective rate: <percent>%'),
    check: (t) => [
      numberCheck('balance_correct', firstNumber(labelled(t, /balance/)), balance, 0.01, money(balance)),
      numberCheck('rate_correct', firstNumber(labelled(t, /effective(?: annual)? rate|ear/)), ear, 0.005, `${ear.toFixed(2)}%`),
    ],
    referenceText: `Per-period rate ${r}% / ${m}; ${m * years} periods.\nBalance = ${P} × (1 + ${(r / 100).toFixed(4)}/${m})^${m * years} = ${money(balance)}\nEAR = (1 + ${(r / 100).toFixed(4)}/${m})^${m} − 1\n\nBalance: ${fixed2(balance)}\nEffective rate: ${ear.toFixed(2)}%`,
    nearMissText: `Balance = ${P} × (1 + ${(r / 100).toFixed(4)})^${years} = ${money(naive)}\nThe effective rate equals the stated rate.\n\nBalance: ${fixed2(naive)}\nEffective rate: ${r.toFixed(2)}%`,
  };
}

function l3Loan(rng: ProbeRng): TextTask {
  const P = rng.int(40, 900) * 500;
  const r = rng.int(250, 975) / 100;
  const years = rng.pick([3, 4, 5, 7, 10, 15, 20, 25, 30]);
  const n = years * 12;
  const i = r / 100 / 12;
  const payment = (P * i) / (1 - Math.pow(1 + i, -n));
  const pay2 = roundTo(payment, 2);
  const interest = pay2 * n - P;
  const flatInterest = (P * r * years) / 100;
  const flatPay = (P + flatInterest) / n;
  const what = rng.pick(['a home renovation loan', 'a car loan', 'a small-business loan', 'a student loan']);
  return {
    prompt:
      `You take out ${what} of $${intStr(P)} at a nominal annual rate of ${r}%, repaid over ${years} years in equal monthly payments at each month's end (amortising; monthly rate = annual rate / 12).\n` +
      `1. What is the monthly payment, rounded to the cent?\n2. Using that rounded payment, what is the total interest (all payments minus the amount borrowed)?\n` +
      endLines('Payment: <amount>', 'Total interest: <amount>'),
    check: (t) => [
      numberCheck('payment_correct', firstNumber(labelled(t, /(?:monthly )?payment/)), payment, 0.01, money(payment)),
      numberCheck('interest_correct', firstNumber(labelled(t, /total interest|interest/)), interest, 0.011, money(interest)),
    ],
    referenceText: `i = ${r}%/12, n = ${n}. Payment = P·i / (1 − (1+i)^−n) = ${fixed2(payment)}. Total paid ${fixed2(pay2 * n)}.\n\nPayment: ${fixed2(payment)}\nTotal interest: ${fixed2(interest)}`,
    nearMissText: `Interest = ${P} × ${(r / 100).toFixed(4)} × ${years} = ${fixed2(flatInterest)}; payment = (${P} + interest) / ${n}.\n\nPayment: ${fixed2(flatPay)}\nTotal interest: ${fixed2(flatInterest)}`,
  };
}

function l3Chain(rng: ProbeRng): TextTask {
  for (;;) {
    const start = rng.int(2000, 90000) / 100;
    const k = rng.int(3, 5);
    const changes = Array.from({ length: k }, () => (rng.next() < 0.5 ? -1 : 1) * (rng.int(4, 35) + rng.pick([0, 0, 0.5])));
    const final = changes.reduce((v, c) => v * (1 + c / 100), start);
    const net = (final / start - 1) * 100;
    const summed = changes.reduce((s, c) => s + c, 0);
    if (Math.abs(summed - net) < 0.2) continue;
    const thing = rng.pick(['A share', 'A bicycle', 'A concert ticket', 'A laptop', 'A plot of land', 'An antique clock']);
    const steps = changes.map((c) => (c > 0 ? `rises ${c}%` : `falls ${-c}%`)).join(', then ');
    const wrongFinal = start * (1 + summed / 100);
    return {
      prompt:
        `${thing} is priced at $${money(start)}. Its price then ${steps}, each change applied to the price at that point.\n` +
        `1. What is the final price, to the cent (round only the final result)?\n2. What is the overall percentage change, with 2 decimals (negative for a decrease)?\n` +
        endLines('Final price: <amount>', 'Overall change: <percent>%'),
      check: (t) => [
        numberCheck('final_correct', firstNumber(labelled(t, /final(?: price)?/)), final, 0.01, money(final)),
        numberCheck('change_correct', firstNumber(labelled(t, /overall(?: percentage)? change|change/)), net, 0.005, `${net.toFixed(2)}%`),
      ],
      referenceText: `Multiply by ${changes.map((c) => (1 + c / 100).toFixed(3)).join(' × ')}: ${money(final)}.\n\nFinal price: ${fixed2(final)}\nOverall change: ${net.toFixed(2)}%`,
      nearMissText: `Net change ${changes.join(' + ')} = ${summed.toFixed(2)}%.\n\nFinal price: ${fixed2(wrongFinal)}\nOverall change: ${summed.toFixed(2)}%`,
    };
  }
}

// ---------------------------------------------------------------------------------------------

export const generator = generatorByLevel(ID, {
  L1: 'One operation (multiplication, division or percentage rounded to cents, money subtraction); `Answer:` line, integers exact, rounded values within half a cent.',
  L2: 'Multi-step: weighted average, invoice with discount/tax/shipping, pooled group average, or trip average speed; `Answer:` line within one cent.',
  L3: 'Compound: compound interest (balance + effective rate), loan payment + total interest, or a chain of percentage changes (final value + net change); two labelled lines at the asked precision.',
}, {
  L1: (rng, seed, level) => textProbe(ID, level, seed, rng.pick([l1Multiply, l1Divide, l1Percent, l1Subtract])(rng)),
  L2: (rng, seed, level) => textProbe(ID, level, seed, rng.pick([l2Weighted, l2Invoice, l2Pooled, l2Speed])(rng)),
  L3: (rng, seed, level) => textProbe(ID, level, seed, rng.pick([l3Compound, l3Loan, l3Chain])(rng)),
});
