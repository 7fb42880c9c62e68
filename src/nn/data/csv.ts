// CSV → dataset: numeric feature columns plus one label column.
//
// Rows are numbered as a text editor numbers lines (the header, when present, is
// row 1), so "CSV row 14" points at line 14 of the file. Cells may be quoted
// ("a,b", with "" for a quote); blank lines are skipped; surrounding spaces are
// ignored. Every feature cell must be a decimal number: an empty cell, "NA", "?" or
// "abc" is refused with its row and column rather than guessed.
//
// Labels: when every label cell is a number, the numbers are the class indices
// (non-negative integers; k = max + 1) — or the targets, with task 'regression'.
// Otherwise the distinct strings, sorted, become classes 0…k−1.

import { checkSize, labelArray, type Dataset, type SizeLimits } from './dataset';
import { DataFormatError } from './errors';

export interface CsvOptions extends SizeLimits {
  /** the label column: its header name, or its 0-based index (−1 = last column) */
  label: string | number;
  /** whether row 1 is a header; 'auto' (default): yes when one of its feature cells is not a number */
  header?: boolean | 'auto';
  /** cell separator, default ',' */
  delimiter?: string;
  /** 'classification' (default): labels are classes; 'regression': the label column is a real target */
  task?: 'classification' | 'regression';
  /** fixed class order for string labels (default: the distinct labels, sorted) */
  classNames?: readonly string[];
  /** dataset name for messages and metadata, default "CSV" */
  name?: string;
  source?: string;
  split?: string;
}

interface Row {
  /** 1-based line of the row's first character */
  line: number;
  cells: string[];
}

/** Splits CSV text into rows of cells, honouring quotes; skips blank lines. */
export function tokenizeCsv(text: string, delimiter = ',', what = 'CSV'): Row[] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') {
    throw new RangeError(`${what}: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
  }
  const rows: Row[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (;;) {
      if (i >= n) {
        if (quoted) throw new DataFormatError(`${what} row ${start}: a quoted cell is never closed`);
        cells.push(cell);
        break;
      }
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
        } else {
          if (ch === '\n') line++;
          cell += ch;
          i++;
        }
      } else if (ch === '"' && cell.trim() === '') {
        quoted = true;
        cell = '';
        i++;
      } else if (ch === delimiter) {
        cells.push(cell);
        cell = '';
        i++;
      } else if (ch === '\n' || ch === '\r') {
        cells.push(cell);
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        break;
      } else {
        cell += ch;
        i++;
      }
    }
    const trimmed = cells.map((c) => c.trim());
    if (!(trimmed.length === 1 && trimmed[0] === '')) rows.push({ line: start, cells: trimmed });
  }
  return rows;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** a decimal number, or undefined ("", "NA", "0x10", "Infinity" are not) */
export function parseNumber(cell: string): number | undefined {
  return NUMBER.test(cell) ? Number(cell) : undefined;
}

/** Parses CSV text into a dataset; see the file comment for the rules. */
export function parseCsv(text: string, opts: CsvOptions): Dataset {
  const what = opts.name ? `${opts.name} CSV` : 'CSV';
  const rows = tokenizeCsv(text, opts.delimiter ?? ',', what);
  if (rows.length === 0) throw new DataFormatError(`${what}: the file has no rows`);
  const width = rows[0]!.cells.length;

  // the label column, and whether row 1 is a header
  let header = opts.header ?? 'auto';
  let labelCol: number;
  const first = rows[0]!.cells;
  if (typeof opts.label === 'string') {
    if (header === false) {
      throw new DataFormatError(`${what}: the label column is given by name ('${opts.label}'), which needs a header row`);
    }
    header = true;
    labelCol = first.indexOf(opts.label);
    if (labelCol < 0) {
      throw new DataFormatError(`${what}: no column named '${opts.label}'; the header (row ${rows[0]!.line}) has ${first.map((c) => `'${c}'`).join(', ')}`);
    }
  } else {
    labelCol = opts.label < 0 ? width + opts.label : opts.label;
    if (!Number.isInteger(opts.label) || labelCol < 0 || labelCol >= width) {
      throw new DataFormatError(`${what}: label column ${opts.label} does not exist; rows have ${width} columns (0–${width - 1}, or −1 for the last)`);
    }
    if (header === 'auto') header = first.some((c, j) => j !== labelCol && parseNumber(c) === undefined);
  }
  const names = header ? first : Array.from({ length: width }, (_, j) => `column ${j}`);
  const colName = (j: number): string => (header ? `'${names[j]}'` : `${j}`);
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) throw new DataFormatError(`${what}: the file has a header but no data rows`);
  if (width < 2) throw new DataFormatError(`${what}: rows have ${width} column; need at least one feature and the label`);

  const d = width - 1;
  const n = data.length;
  checkSize(what, `${n} rows of ${d} features`, n * d, opts);
  const features = new Float32Array(n * d);
  const rawLabels: string[] = new Array(n);
  data.forEach((row, i) => {
    if (row.cells.length !== width) {
      throw new DataFormatError(
        `${what} row ${row.line} has ${row.cells.length} cells, ${header ? 'header' : 'row ' + rows[0]!.line} has ${width}`,
      );
    }
    let k = 0;
    for (let j = 0; j < width; j++) {
      const cell = row.cells[j]!;
      if (cell === '') {
        throw new DataFormatError(`${what} row ${row.line}, column ${colName(j)} is empty (missing value)`);
      }
      if (j === labelCol) {
        rawLabels[i] = cell;
        continue;
      }
      const v = parseNumber(cell);
      if (v === undefined) throw new DataFormatError(`${what} row ${row.line}, column ${colName(j)}: '${cell}' is not a number`);
      features[i * d + k++] = v;
    }
  });

  const base = {
    name: opts.name ?? 'CSV',
    split: opts.split ?? `all ${n} rows`,
    source: opts.source ?? 'CSV text',
    shape: [n, d],
    features,
    featureNames: names.filter((_, j) => j !== labelCol),
  };

  if (opts.task === 'regression') {
    const targets = new Float32Array(n);
    rawLabels.forEach((c, i) => {
      const v = parseNumber(c);
      if (v === undefined) {
        throw new DataFormatError(`${what} row ${data[i]!.line}, column ${colName(labelCol)}: target '${c}' is not a number`);
      }
      targets[i] = v;
    });
    return { ...base, task: 'regression', notes: [`target: column ${colName(labelCol)}`], targets, targetShape: [n, 1] };
  }

  const numeric = !opts.classNames && rawLabels.every((c) => parseNumber(c) !== undefined);
  let classNames: string[];
  let index: (c: string, i: number) => number;
  if (numeric) {
    let max = 0;
    rawLabels.forEach((c, i) => {
      const v = Number(c);
      if (!Number.isInteger(v) || v < 0) {
        throw new DataFormatError(
          `${what} row ${data[i]!.line}, column ${colName(labelCol)}: label ${c} is not a class index (a non-negative integer); ` +
            "use task: 'regression' for real-valued targets",
        );
      }
      max = Math.max(max, v);
    });
    classNames = Array.from({ length: max + 1 }, (_, c) => String(c));
    index = (c) => Number(c);
  } else {
    classNames = opts.classNames ? [...opts.classNames] : [...new Set(rawLabels)].sort();
    const map = new Map(classNames.map((c, k) => [c, k]));
    index = (c, i) => {
      const k = map.get(c);
      if (k === undefined) {
        throw new DataFormatError(`${what} row ${data[i]!.line}: label '${c}' is not one of the classes ${classNames.join(', ')}`);
      }
      return k;
    };
  }
  const labels = labelArray(n, classNames.length);
  rawLabels.forEach((c, i) => (labels[i] = index(c, i)));
  return {
    ...base,
    task: 'classification',
    notes: [`label: column ${colName(labelCol)}${numeric ? ' (numbers kept as class indices)' : ' (names sorted into class indices)'}`],
    labels,
    numClasses: classNames.length,
    classNames,
  };
}

/** Bytes (UTF-8) → text. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
