import { call, cp, generatorByLevel, solution, type ProbeRng } from '../toolkit.js';
import type { ProbeCheckContext, ProbeCheckpoint, ProbeInstance } from '../types.js';
import { capitalize, distinct, richWord } from '../gen/words.js';
import { all, inside, kids, parseHtml, textOf, type HEl } from '../gen/html-scan.js';
import { escapeHtml } from '../gen/html.js';

/**
 * gen.code.html — the agent writes index.html from a specification with generated content; the
 * check parses the file with a small tolerant tag scanner (below) and verifies the elements,
 * attributes and text. L1 headings, paragraph, list and link; L2 semantic layout, a data table
 * with thead/tbody, a labelled form and a small SVG icon; L3 an accessible inline SVG bar chart
 * with exact bar geometry plus a responsive page set-up (viewport, media query, lang).
 */

const PRIMITIVE_ID = 'gen.code.html';

// ── content helpers ────────────────────────────────────────────────────────────────────────

const NOUNS = ['garden', 'harbor', 'library', 'market', 'orchard', 'bridge', 'workshop', 'museum', 'festival', 'railway', 'bakery', 'observatory', 'archive', 'gallery', 'studio', 'lighthouse', 'vineyard', 'quarry', 'mill', 'canal'];

async function loadPage(ctx: ProbeCheckContext): Promise<{ src: string; doc: HEl } | undefined> {
  const src = await ctx.readFile('index.html');
  if (src === undefined || src.trim() === '') return undefined;
  return { src, doc: parseHtml(src) };
}

function htmlSolution(page: string, summary: string): ProbeInstance['reference'] {
  return solution({ toolCalls: [call.write('index.html', page)] }, { text: summary });
}

// ── L1: headings, paragraph, list, link ────────────────────────────────────────────────────

function generateL1(rng: ProbeRng, seed: number): ProbeInstance {
  const place = capitalize(richWord(rng, 2));
  const noun = rng.pick(NOUNS);
  const title = `${rng.pick(['Notes from', 'A guide to', 'Welcome to', 'Visiting', 'Inside'])} the ${place} ${noun}`;
  const subtitle = rng.pick(['What to see', 'Highlights', 'Before you go', 'Things to bring', 'Opening days']);
  const intro = `The ${place} ${noun} opened in ${rng.int(1850, 2015)} and welcomes about ${rng.int(2, 90) * 100} visitors each ${rng.pick(['week', 'month', 'season'])}.`;
  // 3–5 items: this level tests the list's element and order, not its length.
  const items = distinct(rng.int(3, 5), () => `${capitalize(richWord(rng, rng.int(1, 2)))} ${rng.pick(['corner', 'room', 'path', 'hall', 'bench', 'tower', 'pond', 'stall', 'gate'])}`);
  const host = `${richWord(rng, 2)}.example.org`;
  const url = `https://${host}/${richWord(rng, 1)}-${rng.int(10, 99)}`;
  const linkText = `${rng.pick(['Read more about', 'Plan a visit to', 'Tickets for', 'History of'])} ${place}`;
  const variant = rng.int(0, 1);

  const prompt = [
    'Create index.html, a complete HTML document with:',
    `- an <h1> "${title}";`,
    `- a paragraph "${intro}";`,
    `- an <h2> "${subtitle}", then an unordered list of, in order: ${items.map((i) => `"${i}"`).join(', ')};`,
    `- a link "${linkText}" to ${url}.`,
  ].join('\n');

  const page = (wrong: boolean) =>
    [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '  <meta charset="utf-8">',
      `  <title>${escapeHtml(title)}</title>`,
      '</head>',
      '<body>',
      `  <h1>${escapeHtml(title)}</h1>`,
      `  <p>${escapeHtml(intro)}</p>`,
      `  <h2>${escapeHtml(subtitle)}</h2>`,
      wrong && variant === 0 ? '  <ol>' : '  <ul>',
      ...items.map((i) => `    <li>${escapeHtml(i)}</li>`),
      wrong && variant === 0 ? '  </ol>' : '  </ul>',
      wrong && variant === 1 ? `  <p>${escapeHtml(linkText)}: <a href="${url}">${url}</a></p>` : `  <p><a href="${url}">${escapeHtml(linkText)}</a></p>`,
      '</body>',
      '</html>',
      '',
    ].join('\n');

  const check = async (ctx: ProbeCheckContext): Promise<ProbeCheckpoint[]> => {
    const p = await loadPage(ctx);
    if (!p) return [cp('file_created', false, 'index.html was not written')];
    const { doc } = p;
    const h1 = all(doc, 'h1').map(textOf);
    const h2 = all(doc, 'h2').map(textOf);
    const lists = all(doc, 'ul').map((ul) => kids(ul, 'li').map(textOf));
    const listOk = lists.some((l) => l.length === items.length && l.every((t, i) => t === items[i]));
    const links = all(doc, 'a').map((a) => ({ href: (a.attrs.href ?? '').trim(), text: textOf(a) }));
    return [
      cp('file_created', true),
      cp('h1_correct', h1.length === 1 && h1[0] === title, `h1 headings: ${JSON.stringify(h1)}`),
      cp('paragraph_correct', all(doc, 'p').some((e) => textOf(e) === intro), 'no paragraph holds exactly the requested text'),
      cp('h2_correct', h2.includes(subtitle), `h2 headings: ${JSON.stringify(h2)}`),
      cp('list_correct', listOk, `unordered lists found: ${JSON.stringify(lists)}; expected ${JSON.stringify(items)}`),
      cp('link_correct', links.some((l) => l.href === url && l.text === linkText), `links: ${JSON.stringify(links)}`),
    ];
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L1',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    check,
    reference: htmlSolution(page(false), 'index.html is written.'),
    nearMiss: htmlSolution(page(true), 'index.html is written.'),
  };
}

// ── L2: semantic layout, table, form, small SVG ────────────────────────────────────────────

function generateL2(rng: ProbeRng, seed: number): ProbeInstance {
  const org = `${capitalize(richWord(rng, 2))} ${rng.pick(['Rowing Club', 'Chess Society', 'Choir', 'Hiking Group', 'Film Circle', 'Garden Club'])}`;
  const columns = rng.sample(['Name', 'Role', 'Joined', 'City', 'Level', 'Team', 'Email'], rng.int(3, 4));
  const cell = (c: string): string => {
    switch (c) {
      case 'Name':
        return `${capitalize(richWord(rng, 2))} ${capitalize(richWord(rng, 2))}`;
      case 'Role':
        return rng.pick(['Captain', 'Treasurer', 'Member', 'Coach', 'Secretary']);
      case 'Joined':
        return String(rng.int(1995, 2024));
      case 'City':
        return capitalize(richWord(rng, 2));
      case 'Level':
        return rng.pick(['Beginner', 'Intermediate', 'Advanced']);
      case 'Team':
        return `${capitalize(richWord(rng, 1))} ${rng.int(1, 9)}`;
      default:
        return `${richWord(rng, 2)}@example.com`;
    }
  };
  // A small table suffices: this level tests the table's structure (caption, thead, tbody), not its size.
  const rows = Array.from({ length: rng.int(3, 4) }, () => columns.map(cell));
  const caption = `${org} members`;
  const action = `/${richWord(rng, 2)}/join`;
  const textField = rng.pick(['full_name', 'member_name', 'applicant', 'your_name']);
  const emailField = rng.pick(['email', 'contact_email', 'mail']);
  const selectField = rng.pick(['level', 'interest', 'group', 'slot']);
  const options = distinct(rng.int(3, 4), () => richWord(rng, rng.int(1, 2)));
  const submit = rng.pick(['Join', 'Apply', 'Sign up', 'Send application', 'Register']);
  const footer = `© ${rng.int(2019, 2026)} ${org}`;
  const radius = rng.int(6, 20);
  const color = rng.pick(['#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#ff7f0e', '#17becf']);
  const variant = rng.int(0, 1);

  const prompt = [
    'Create index.html, an HTML5 page with semantic elements:',
    `- <header>: an <h1> "${org}" and an inline <svg> icon of one <circle r="${radius}" fill="${color}">;`,
    '- <main> with:',
    `  - a <table>: caption "${caption}"; a <thead> row of header cells ${columns.join(' | ')}; <tbody> rows:`,
    ...rows.map((r) => `    ${r.join(' | ')}`),
    `  - a <form method="post" action="${action}">: a required text input named "${textField}" and an email input named "${emailField}", each with a <label> tied via for/id; a <select> named "${selectField}" with options ${options.map((o) => `"${o}"`).join(', ')} (value = text); a submit button "${submit}";`,
    `- <footer>: "${footer}".`,
  ].join('\n');

  const page = (wrong: boolean) => {
    const head = wrong && variant === 0;
    const badLabel = wrong && variant === 1;
    return [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '  <meta charset="utf-8">',
      `  <title>${escapeHtml(org)}</title>`,
      '</head>',
      '<body>',
      '  <header>',
      `    <h1>${escapeHtml(org)}</h1>`,
      `    <svg width="${radius * 2 + 4}" height="${radius * 2 + 4}" viewBox="0 0 ${radius * 2 + 4} ${radius * 2 + 4}" aria-hidden="true">`,
      `      <circle cx="${radius + 2}" cy="${radius + 2}" r="${radius}" fill="${color}"/>`,
      '    </svg>',
      '  </header>',
      '  <main>',
      '    <table>',
      `      <caption>${escapeHtml(caption)}</caption>`,
      ...(head ? [] : ['      <thead>', `        <tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`, '      </thead>']),
      '      <tbody>',
      ...(head ? [`        <tr>${columns.map((c) => `<td><strong>${escapeHtml(c)}</strong></td>`).join('')}</tr>`] : []),
      ...rows.map((r) => `        <tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`),
      '      </tbody>',
      '    </table>',
      `    <form method="post" action="${action}">`,
      `      <label for="f-${textField}">Name</label>`,
      `      <input type="text" id="${badLabel ? textField : `f-${textField}`}" name="${textField}" required>`,
      `      <label for="f-${emailField}">Email</label>`,
      `      <input type="email" id="f-${emailField}" name="${emailField}">`,
      `      <label for="f-${selectField}">Choose</label>`,
      `      <select id="f-${selectField}" name="${selectField}">`,
      ...options.map((o) => `        <option value="${o}">${o}</option>`),
      '      </select>',
      `      <button type="submit">${escapeHtml(submit)}</button>`,
      '    </form>',
      '  </main>',
      `  <footer>${escapeHtml(footer)}</footer>`,
      '</body>',
      '</html>',
      '',
    ].join('\n');
  };

  const check = async (ctx: ProbeCheckContext): Promise<ProbeCheckpoint[]> => {
    const p = await loadPage(ctx);
    if (!p) return [cp('file_created', false, 'index.html was not written')];
    const { doc } = p;
    const out: ProbeCheckpoint[] = [cp('file_created', true)];

    const header = all(doc, 'header')[0];
    const main = all(doc, 'main')[0];
    const foot = all(doc, 'footer')[0];
    out.push(
      cp(
        'semantic_structure',
        !!header && !!main && !!foot && all(header, 'h1').some((h) => textOf(h) === org) && textOf(foot!).includes(footer),
        'needs <header> with the h1, <main> and a <footer> with the given text',
      ),
    );

    const table = main ? all(main, 'table')[0] : undefined;
    const thead = table ? all(table, 'thead')[0] : undefined;
    const ths = thead ? all(thead, 'th').map(textOf) : [];
    out.push(cp('table_header', !!table && ths.length === columns.length && ths.every((t, i) => t === columns[i]), `header cells in <thead>: ${JSON.stringify(ths)}; expected ${JSON.stringify(columns)}`));
    const tbody = table ? all(table, 'tbody')[0] : undefined;
    const body = tbody ? all(tbody, 'tr').map((tr) => tr.children.filter((c): c is HEl => typeof c !== 'string' && (c.tag === 'td' || c.tag === 'th')).map(textOf)) : [];
    const bodyOk = body.length === rows.length && body.every((r, i) => r.length === columns.length && r.every((c, j) => c === rows[i]![j]));
    const captionOk = !!table && all(table, 'caption').some((c) => textOf(c) === caption);
    out.push(cp('table_body', bodyOk && captionOk, `caption ${captionOk ? 'ok' : 'missing'}; <tbody> rows: ${JSON.stringify(body.slice(0, 3))}…`));

    const form = main ? all(main, 'form')[0] : undefined;
    const problems: string[] = [];
    if (!form) problems.push('no <form> in <main>');
    else {
      if ((form.attrs.method ?? '').toLowerCase() !== 'post') problems.push('method is not post');
      if ((form.attrs.action ?? '') !== action) problems.push(`action is ${JSON.stringify(form.attrs.action)}`);
      const inputs = all(form, 'input');
      const labels = all(doc, 'label');
      const tied = (input: HEl | undefined) => !!input && ((!!input.attrs.id && labels.some((l) => l.attrs.for === input.attrs.id)) || inside(input, 'label'));
      const text = inputs.find((i) => i.attrs.name === textField);
      if (!text || (text.attrs.type ?? 'text').toLowerCase() !== 'text' || !('required' in text.attrs)) problems.push(`no required text input named ${textField}`);
      else if (!tied(text)) problems.push(`the ${textField} input has no tied label`);
      const email = inputs.find((i) => i.attrs.name === emailField);
      if (!email || (email.attrs.type ?? '').toLowerCase() !== 'email') problems.push(`no email input named ${emailField}`);
      else if (!tied(email)) problems.push(`the ${emailField} input has no tied label`);
      const select = all(form, 'select').find((s) => s.attrs.name === selectField);
      const opts = select ? all(select, 'option').map((o) => ({ v: o.attrs.value ?? textOf(o), t: textOf(o) })) : [];
      if (!select || opts.length !== options.length || opts.some((o, i) => o.v !== options[i] || o.t !== options[i])) problems.push(`select ${selectField} options are ${JSON.stringify(opts)}`);
      const submitOk =
        all(form, 'button').some((b) => (b.attrs.type ?? 'submit').toLowerCase() === 'submit' && textOf(b) === submit) ||
        inputs.some((i) => (i.attrs.type ?? '').toLowerCase() === 'submit' && (i.attrs.value ?? '') === submit);
      if (!submitOk) problems.push(`no submit button "${submit}"`);
    }
    out.push(cp('form_correct', problems.length === 0, problems.join('; ')));

    const circles = header ? all(header, 'svg').flatMap((s) => all(s, 'circle')) : [];
    out.push(cp('svg_icon', circles.some((c) => Number(c.attrs.r) === radius && (c.attrs.fill ?? '').toLowerCase() === color), `circles in the header svg: ${JSON.stringify(circles.map((c) => c.attrs))}`));
    return out;
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L2',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    check,
    reference: htmlSolution(page(false), 'index.html is written.'),
    nearMiss: htmlSolution(page(true), 'index.html is written.'),
  };
}

// ── L3: accessible SVG chart, responsive page ──────────────────────────────────────────────

function generateL3(rng: ProbeRng, seed: number): ProbeInstance {
  const k = rng.int(4, 8);
  const labels = distinct(k, () => capitalize(richWord(rng, rng.int(1, 2))));
  const values = labels.map(() => rng.int(4, 60));
  const scale = rng.int(2, 5);
  const barW = rng.int(16, 40);
  const gap = rng.int(6, 16);
  const baseline = Math.max(...values) * scale + rng.int(10, 30);
  const width = k * (barW + gap) + gap;
  const height = baseline + 30;
  const subject = `${rng.pick(['Monthly', 'Weekly', 'Daily', 'Yearly'])} ${rng.pick(['visitors', 'orders', 'rainfall', 'downloads', 'arrivals'])} by ${rng.pick(['site', 'station', 'branch', 'stall'])}`;
  const lang = rng.pick(['en', 'en-GB', 'fr', 'de', 'es', 'nl']);
  const bp = rng.pick([480, 520, 600, 640, 720, 768]);
  const variant = rng.int(0, 1);

  const prompt = [
    'Create index.html, a responsive, accessible page with an inline SVG bar chart:',
    `- <html lang="${lang}">; a viewport meta tag (width=device-width, initial-scale=1);`,
    `- a <style> with @media (max-width: ${bp}px) changing some layout rule;`,
    `- <svg viewBox="0 0 ${width} ${height}" role="img">, aria-labelledby naming the id of its <title> "${subject}";`,
    `- exactly ${k} <rect> in the svg (no background rect), one bar per value, left to right: ${labels.map((l, i) => `${l}=${values[i]}`).join(', ')};`,
    `- bar i (from 0): x = ${gap} + i * ${barW + gap}, y = ${baseline} - height, width = ${barW}, height = value * ${scale};`,
    `- each rect contains a <title> "<label>: <value>" (e.g. "${labels[0]}: ${values[0]}"); below each bar a <text> shows its label.`,
  ].join('\n');

  const page = (wrong: boolean) => {
    const background = wrong && variant === 0;
    const topAligned = wrong && variant === 1;
    return [
      '<!DOCTYPE html>',
      `<html lang="${lang}">`,
      '<head>',
      '  <meta charset="utf-8">',
      '  <meta name="viewport" content="width=device-width, initial-scale=1">',
      `  <title>${escapeHtml(subject)}</title>`,
      '  <style>',
      '    body { font-family: sans-serif; margin: 2rem; }',
      '    .chart { max-width: 720px; }',
      `    @media (max-width: ${bp}px) {`,
      '      body { margin: 0.5rem; }',
      '      .chart { max-width: 100%; }',
      '    }',
      '  </style>',
      '</head>',
      '<body>',
      '  <main>',
      `    <h1>${escapeHtml(subject)}</h1>`,
      '    <figure class="chart">',
      `      <svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title">`,
      `        <title id="chart-title">${escapeHtml(subject)}</title>`,
      ...(background ? [`        <rect x="0" y="0" width="${width}" height="${height}" fill="#fafafa"/>`] : []),
      ...labels.flatMap((l, i) => {
        const x = gap + i * (barW + gap);
        const h = values[i]! * scale;
        return [
          `        <rect x="${x}" y="${topAligned ? 0 : baseline - h}" width="${barW}" height="${h}" fill="#4a7bb7"><title>${escapeHtml(l)}: ${values[i]}</title></rect>`,
          `        <text x="${x + barW / 2}" y="${baseline + 16}" text-anchor="middle" font-size="10">${escapeHtml(l)}</text>`,
        ];
      }),
      '      </svg>',
      '    </figure>',
      '  </main>',
      '</body>',
      '</html>',
      '',
    ].join('\n');
  };

  const check = async (ctx: ProbeCheckContext): Promise<ProbeCheckpoint[]> => {
    const p = await loadPage(ctx);
    if (!p) return [cp('file_created', false, 'index.html was not written')];
    const { doc } = p;
    const out: ProbeCheckpoint[] = [cp('file_created', true)];

    const html = all(doc, 'html')[0];
    const viewport = all(doc, 'meta').find((m) => (m.attrs.name ?? '').toLowerCase() === 'viewport');
    const vpOk = !!viewport && /width\s*=\s*device-width/i.test(viewport.attrs.content ?? '') && /initial-scale\s*=\s*1(\.0)?\b/i.test(viewport.attrs.content ?? '');
    const css = all(doc, 'style').map((s) => s.children.join('')).join('\n');
    const mqOk = new RegExp(`@media[^{]*\\(\\s*max-width\\s*:\\s*${bp}px\\s*\\)[^{]*\\{`, 'i').test(css);
    const setupProblems = [
      ...(html && (html.attrs.lang ?? '') === lang ? [] : [`html lang is ${JSON.stringify(html?.attrs.lang)}`]),
      ...(vpOk ? [] : ['no viewport meta tag with width=device-width, initial-scale=1']),
      ...(mqOk ? [] : [`no @media (max-width: ${bp}px) rule in a <style>`]),
    ];
    out.push(cp('page_setup', setupProblems.length === 0, setupProblems.join('; ')));

    const svg = all(doc, 'svg')[0];
    if (!svg) return [...out, cp('svg_accessible', false, 'no <svg> element')];
    const vb = (svg.attrs.viewbox ?? '').trim().split(/[\s,]+/).map(Number);
    const ids = (svg.attrs['aria-labelledby'] ?? '').split(/\s+/).filter(Boolean);
    const titleOk = all(svg, 'title').some((t) => !!t.attrs.id && ids.includes(t.attrs.id) && textOf(t) === subject);
    const a11y = [
      ...(vb.length === 4 && vb[0] === 0 && vb[1] === 0 && vb[2] === width && vb[3] === height ? [] : [`viewBox is ${JSON.stringify(svg.attrs.viewbox)}`]),
      ...((svg.attrs.role ?? '') === 'img' ? [] : ['role is not img']),
      ...(titleOk ? [] : ['aria-labelledby does not point to a <title> with the chart title']),
    ];
    out.push(cp('svg_accessible', a11y.length === 0, a11y.join('; ')));

    const rects = all(svg, 'rect');
    out.push(cp('bar_count', rects.length === k, `found ${rects.length} <rect> elements, expected ${k}`));
    const num = (e: HEl, a: string) => (e.attrs[a] === undefined ? NaN : parseFloat(e.attrs[a]!));
    const geo: string[] = [];
    if (rects.length === k) {
      rects.forEach((r, i) => {
        const [x, y, w, h] = [num(r, 'x'), num(r, 'y'), num(r, 'width'), num(r, 'height')];
        const wantX = gap + i * (barW + gap);
        const wantH = values[i]! * scale;
        if (!(Math.abs(x - wantX) <= 0.5 && Math.abs(w - barW) <= 0.5 && Math.abs(h - wantH) <= 0.5 && Math.abs(y + h - baseline) <= 0.5)) geo.push(`bar ${i} has x=${x} y=${y} width=${w} height=${h}, expected x=${wantX} y=${baseline - wantH} width=${barW} height=${wantH}`);
      });
    } else geo.push('wrong number of bars');
    out.push(cp('bar_geometry', geo.length === 0, geo.slice(0, 2).join('; ')));

    const texts = all(svg, 'text').map(textOf);
    const tips = rects.map((r) => all(r, 'title').map(textOf)[0] ?? '');
    const labelProblems = [
      ...labels.filter((l) => !texts.includes(l)).map((l) => `no <text> "${l}"`),
      ...labels.filter((l, i) => tips[i] !== `${l}: ${values[i]}`).map((l) => `the ${l} bar lacks the <title> "${l}: ${values[labels.indexOf(l)]}"`),
    ];
    out.push(cp('bar_labels', labelProblems.length === 0, labelProblems.slice(0, 3).join('; ')));
    return out;
  };

  return {
    primitiveId: PRIMITIVE_ID,
    level: 'L3',
    seed,
    prompt,
    setupFiles: {},
    requires: [],
    check,
    reference: htmlSolution(page(false), 'index.html is written.'),
    nearMiss: htmlSolution(page(true), 'index.html is written.'),
  };
}

export const generator = generatorByLevel(PRIMITIVE_ID, {
  L1: 'Write a basic HTML document with given headings, a paragraph, an unordered list and a link.',
  L2: 'Write a semantic HTML page with a captioned thead/tbody table, a labelled form (text, email, select, submit) and a small inline SVG icon.',
  L3: 'Write a responsive, accessible page with an inline SVG bar chart of exact bar geometry, per-bar titles and labels, viewport meta and a media query.',
}, { L1: generateL1, L2: generateL2, L3: generateL3 });
