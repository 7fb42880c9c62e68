// The small markdown the exercises' prompts and the array module's reference are written
// in: headings (#…####), paragraphs, `-`/`*` and `1.` lists, fenced code, `inline code`,
// **bold**, *emphasis*, pipe tables, and math — $…$ inline, $$…$$ on its own lines —
// typeset by KaTeX through ui/Math. Rendered as React elements (no HTML passes through).

import { Fragment, type ReactNode } from 'react';
import { M, MathBlock } from '../../../ui/Math';

/** inline: code spans first (their content is literal), then math, bold, emphasis */
function inline(text: string, key = 0): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /`([^`]+)`|\$([^$]+)\$|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|(?<![A-Za-z0-9])_([^_\s][^_]*)_(?![A-Za-z0-9])/g;
  let last = 0;
  let k = key;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code key={k++}>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<M key={k++}>{m[2]}</M>);
    else if (m[3] !== undefined) out.push(<strong key={k++}>{inline(m[3], k * 100)}</strong>);
    else out.push(<em key={k++}>{inline(m[4] ?? m[5]!, k * 100)}</em>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));

export function Markdown({ text, headingLevel = 3 }: { text: string; /** the level `#` maps to */ headingLevel?: 2 | 3 | 4 }) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: ReactNode[] = [];
  let i = 0;
  let key = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      i++;
      blocks.push(
        <pre key={key++} className="md-code">
          <code>{body.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    if (line.trim().startsWith('$$')) {
      const body: string[] = [line.trim().slice(2)];
      let closed = body[0]!.endsWith('$$') && body[0]!.length >= 2;
      if (closed) body[0] = body[0]!.slice(0, -2);
      for (i++; !closed && i < lines.length; i++) {
        const l = lines[i]!;
        if (l.trim().endsWith('$$')) {
          body.push(l.trim().slice(0, -2));
          closed = true;
        } else body.push(l);
      }
      blocks.push(<MathBlock key={key++}>{body.join('\n').trim()}</MathBlock>);
      continue;
    }
    const h = /^(#{1,4})\s+(.*)$/.exec(line);
    if (h) {
      const level = Math.min(6, headingLevel + h[1]!.length - 1);
      const Tag = `h${level}` as 'h3';
      blocks.push(<Tag key={key++}>{inline(h[2]!)}</Tag>);
      i++;
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1]!)) {
      const head = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]!); i++) rows.push(cells(lines[i]!));
      blocks.push(
        <table key={key++} className="md-table">
          <thead>
            <tr>
              {head.map((c, j) => (
                <th key={j} scope="col">
                  {inline(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, ri) => (
              <tr key={ri}>
                {r.map((c, j) => (
                  <td key={j}>{inline(c)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>,
      );
      continue;
    }
    const bullet = /^\s*([-*]|\d+\.)\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      for (; i < lines.length && (bullet.test(lines[i]!) || (/^\s{2,}\S/.test(lines[i]!) && items.length)); i++) {
        if (bullet.test(lines[i]!)) items.push(lines[i]!.replace(bullet, ''));
        else items[items.length - 1] += ` ${lines[i]!.trim()}`;
      }
      const List = ordered ? 'ol' : 'ul';
      blocks.push(
        <List key={key++}>
          {items.map((it, j) => (
            <li key={j}>{inline(it)}</li>
          ))}
        </List>,
      );
      continue;
    }
    const para: string[] = [];
    for (; i < lines.length && lines[i]!.trim() && !/^(```|#{1,4}\s|\s*\$\$|\s*([-*]|\d+\.)\s)/.test(lines[i]!); i++) para.push(lines[i]!.trim());
    if (!para.length) {
      // a line no rule takes (e.g. a lone table row): keep it as text
      para.push(line.trim());
      i++;
    }
    blocks.push(<p key={key++}>{inline(para.join(' '))}</p>);
  }
  return <Fragment>{blocks}</Fragment>;
}
