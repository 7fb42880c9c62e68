// CSV → dataset: numeric feature columns plus one label column.
//
// Rows are numbered as a text editor numbers lines (the header, when present, is
// row 1), so "CSV row 14" points at line 14 of the file. Cells are split by Papa Parse
// (quotes "a,b" with "" for a quote, \n or \r\n line ends); blank lines are skipped;
// surrounding spaces are ignored. Every feature cell must be a decimal number that
// float32 can hold: an empty cell, "NA", "?", "abc" or 1e39 is refused with its row and
// column rather than guessed.
//
// Labels: when every label cell is a number, the numbers are the class indices
// (non-negative integers; k = max + 1) — or the targets, with task 'regression'.
// Otherwise the distinct strings, sorted, become classes 0…k−1.
//
// Sizes are checked before anything is allocated: the header's width against
// maxColumns and every row's width against the header's, n·d against the dataset
// limits, and the class count against maxClasses.

import Papa from 'papaparse';
import { allocF32 } from './alloc';
import { checkSize, labelArray, type Dataset, type SizeLimits } from './dataset';
import { DataFormatError } from './errors';

export interface CsvLimits {
  /** most cells per row; default 16384 (a spreadsheet's column limit) */
  maxColumns?: number;
  /** most classes (numeric labels: the largest label + 1); default 1000 */
  maxClasses?: number;
}

export const CSV_LIMITS: Required<CsvLimits> = { maxColumns: 16_384, maxClasses: 1000 };

export interface CsvOptions extends SizeLimits, CsvLimits {
  /** the label column: its header name, or its 0-based index (−1 = last column) */
  label: string | number;
  /** whether row 1 is a header; 'auto' (default): yes when one of its feature cells is not a number */
  header?: boolean | 'auto';
  /** cell separator, default ',' */
  delimiter?: string;
  /** 'classification' (default): labels are classes; 'regression': the label column is a real target */
  task?: 'classification' | 'regression';
  /**
   * what a refusal of the labels as classes advises (default: the options that change it,
   * task: 'regression' and maxClasses; a page whose reader cannot set them says its own)
   */
  classesAdvice?: string;
  /** fixed class order for string labels (default: the distinct labels, sorted) */
  classNames?: readonly string[];
  /** dataset name for messages and metadata, default "CSV" */
  name?: string;
  source?: string;
  split?: string;
}

export interface CsvRow {
  /** 1-based line of the row's first character */
  line: number;
  cells: string[];
}

/**
 * Splits CSV text into rows of trimmed cells (Papa Parse), numbering each row by the
 * line it starts on; skips blank lines. A row wider than `maxColumns` stops the split.
 */
export function tokenizeCsv(text: string, delimiter = ',', what = 'CSV', maxColumns = CSV_LIMITS.maxColumns): CsvRow[] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new DataFormatError(`${what}: the delimiter must be one character other than a quote or a line end, got ${JSON.stringify(delimiter)}`);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // byte-order mark
  const rows: CsvRow[] = [];
  let failure: string | null = null;
  // line of character `pos`; Papa's cursor is where each row ends
  let line = 1;
  let pos = 0;
  Papa.parse<string[]>(body, {
    delimiter,
    quoteChar: '"',
    escapeChar: '"',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false,
    step: (r, parser) => {
      const start = line;
      const end = Math.min(r.meta.cursor, body.length);
      for (let i = pos; i < end; i++) {
        const c = body.charCodeAt(i);
        if (c === 10 || (c === 13 && body.charCodeAt(i + 1) !== 10)) line++;
      }
      pos = Math.max(pos, end);
      const err = r.errors[0];
      if (err) {
        failure =
          err.code === 'MissingQuotes'
            ? `${what} row ${start}: a quoted cell is never closed`
            : `${what} row ${start}: ${err.message.replace(/\.$/, '')}`;
        parser.abort();
        return;
      }
      if (r.data.length > maxColumns) {
        failure = `${what} row ${start} has ${r.data.length} cells, over the limit maxColumns = ${maxColumns}`;
        parser.abort();
        return;
      }
      const cells = r.data.map((c) => c.trim());
      if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: start, cells });
    },
  });
  if (failure) throw new DataFormatError(failure);
  return rows;
}

// linear: no two quantifiers compete for the same digits (40,000 digits then 'x' is refused at once)
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** a finite decimal number, or undefined ("", "NA", "0x10", "Infinity", "1e999" are not) */
export function parseNumber(cell: string): number | undefined {
  if (!NUMBER.test(cell)) return undefined;
  const v = Number(cell);
  return Number.isFinite(v) ? v : undefined;
}

/** a cell for a message: at most 40 characters */
function cellText(cell: string): string {
  return cell.length > 40 ? `${cell.slice(0, 30)}… (${cell.length} characters)` : cell;
}

/** the cell as float32, or a refusal naming the place: not a number, or beyond float32's ±3.4·10³⁸ */
function float32Cell(cell: string, where: string, kind: string): number {
  if (!NUMBER.test(cell)) throw new DataFormatError(`${where}: ${kind}'${cellText(cell)}' is not a number`);
  const v = Number(cell);
  if (!Number.isFinite(Math.fround(v))) {
    throw new DataFormatError(`${where}: ${kind}${cellText(cell)} is outside float32's range (±3.4e38); the data is float32 on the GPU`);
  }
  return v;
}

/** a cell that reads as a decimal number (the header rule: a row with a feature cell that does not is a header) */
export const isNumberCell = (cell: string): boolean => NUMBER.test(cell);

/** how the messages name the file: "<name> CSV", or "CSV" */
export const csvWhat = (opts: Pick<CsvOptions, 'name'>): string => (opts.name ? `${opts.name} CSV` : 'CSV');

/** Parses CSV text into a dataset; see the file comment for the rules. */
export function parseCsv(text: string, opts: CsvOptions): Dataset {
  return parseCsvRows(tokenizeCsv(text, opts.delimiter ?? ',', csvWhat(opts), opts.maxColumns ?? CSV_LIMITS.maxColumns), opts);
}

/** parseCsv on rows already split by tokenizeCsv (a caller that also shows them splits once) */
export function parseCsvRows(rows: readonly CsvRow[], opts: CsvOptions): Dataset {
  const what = csvWhat(opts);
  const maxClasses = opts.maxClasses ?? CSV_LIMITS.maxClasses;
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
      const shown = first.slice(0, 20).map((c) => `'${c}'`).join(', ') + (first.length > 20 ? `, … (${first.length} in all)` : '');
      throw new DataFormatError(`${what}: no column named '${opts.label}'; the header (row ${rows[0]!.line}) has ${shown}`);
    }
  } else {
    labelCol = opts.label < 0 ? width + opts.label : opts.label;
    if (!Number.isInteger(opts.label) || labelCol < 0 || labelCol >= width) {
      throw new DataFormatError(`${what}: label column ${opts.label} does not exist; rows have ${width} columns (0–${width - 1}, or −1 for the last)`);
    }
    if (header === 'auto') header = first.some((c, j) => j !== labelCol && !NUMBER.test(c));
  }
  const names = header ? first : Array.from({ length: width }, (_, j) => `column ${j}`);
  const colName = (j: number): string => (header ? `'${names[j]}'` : `${j}`);
  const data = header ? rows.slice(1) : rows;
  if (data.length === 0) throw new DataFormatError(`${what}: the file has a header but no data rows`);
  if (width < 2) throw new DataFormatError(`${what}: rows have ${width} column; need at least one feature and the label`);

  // every row as wide as the first, before the features are allocated
  for (const row of data) {
    if (row.cells.length !== width) {
      throw new DataFormatError(
        `${what} row ${row.line} has ${row.cells.length} cells, ${header ? 'header' : 'row ' + rows[0]!.line} has ${width}`,
      );
    }
  }
  const d = width - 1;
  const n = data.length;
  checkSize(what, `${n} rows of ${d} features`, n * d, opts);
  const features = allocF32(n * d);
  const rawLabels: string[] = new Array(n);
  data.forEach((row, i) => {
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
      features[i * d + k++] = float32Cell(cell, `${what} row ${row.line}, column ${colName(j)}`, '');
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
    const targets = allocF32(n);
    rawLabels.forEach((c, i) => {
      targets[i] = float32Cell(c, `${what} row ${data[i]!.line}, column ${colName(labelCol)}`, 'target ');
    });
    return { ...base, task: 'regression', notes: [`target: column ${colName(labelCol)}`], targets, targetShape: [n, 1] };
  }

  const regression = "use task: 'regression' for real-valued targets";
  const advice = opts.classesAdvice ?? `${regression}, or raise maxClasses`;
  const numeric = !opts.classNames && rawLabels.every((c) => NUMBER.test(c));
  let classNames: string[];
  let index: (c: string, i: number) => number;
  if (numeric) {
    // k = max + 1 classes, bounded before the class list is made
    let max = 0;
    rawLabels.forEach((c, i) => {
      const v = Number(c);
      const where = `${what} row ${data[i]!.line}, column ${colName(labelCol)}`;
      if (!Number.isInteger(v) || v < 0) {
        throw new DataFormatError(
          `${where}: label ${cellText(c)} is not a class index (a non-negative integer); ${opts.classesAdvice ?? regression}`,
        );
      }
      if (v + 1 > maxClasses) {
        throw new DataFormatError(
          `${where}: label ${cellText(c)} would make ${v + 1} classes for ${n} rows, over the limit maxClasses = ${maxClasses}; ` +
            `class indices run 0…k−1 (${advice})`,
        );
      }
      max = Math.max(max, v);
    });
    classNames = Array.from({ length: max + 1 }, (_, c) => String(c));
    index = (c) => Number(c);
  } else {
    classNames = opts.classNames ? [...opts.classNames] : [...new Set(rawLabels)].sort();
    if (classNames.length > maxClasses) {
      throw new DataFormatError(
        `${what}: column ${colName(labelCol)} has ${classNames.length} distinct labels in ${n} rows, over the limit maxClasses = ${maxClasses}; ` +
          advice,
      );
    }
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
