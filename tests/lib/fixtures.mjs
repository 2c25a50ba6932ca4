// fixtures.mjs - article files the tests import, written into temporary
// directories at run time (design.md section 2 describes both formats).

import { writeFileSync } from 'node:fs';
import path from 'node:path';

// The page design.md section 1 is about, as a scraper hands it over: note
// the typographic quotes and the comment-form residue at the end.
export const TEHRAN = {
  headline: 'Council approves new river bridge',
  date: 'May 18, 2021 - 18:31',
  // In Asia/Tehran, where May 2021 was on daylight time (+04:30).
  iso: '2021-05-18T18:31:00+04:30',
  dateline: 'TEHRAN',
  first: 'The city council voted 7-2 on Tuesday to approve a new bridge over the river.',
  paragraphs: [
    '\u201cWe have waited twenty years,\u201d the mayor said. \u201cIt\u2019s finally happening.\u201d',
    'The bridge\u2019s first pier will be built next spring, the council\u2019s engineer said.',
    'Opponents said the \u201cbudget numbers\u201d did not add up.',
  ],
};

// Plain-text source of TEHRAN, with the residue lines a scraper leaves.
export function tehranText() {
  return [
    TEHRAN.headline,
    '',
    TEHRAN.date,
    '',
    `${TEHRAN.dateline} - ${TEHRAN.first}`,
    '',
    ...TEHRAN.paragraphs.flatMap((p) => [p, '']),
    'Leave a Comment',
    '',
    '2 + 1 =',
    '',
  ].join('\n');
}

// A plain-text article with the given headline and body paragraphs.
export function plainText(headline, paragraphs, date = 'June 2, 2021 - 09:15') {
  return [headline, '', date, '', ...paragraphs.flatMap((p) => [p, ''])].join('\n');
}

// A Markdown article with a front-matter block built from `fm` (values
// written as given; arrays as [a, b]) and `body`.
export function markdown(fm, body) {
  const lines = ['---'];
  for (const [k, v] of Object.entries(fm)) {
    lines.push(`${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : v}`);
  }
  lines.push('---', '', body);
  return lines.join('\n');
}

// Writes `content` (string or Buffer) to dir/name; returns the path.
export function writeArticle(dir, name, content) {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}
