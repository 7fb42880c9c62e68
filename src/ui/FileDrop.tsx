// A drop zone for the student's files, with a "Choose a file" button for the keyboard
// and for those who do not drag: it hands over the File objects and reads nothing
// itself. Files over `maxBytes` (or more than `maxFiles`) are refused here, by their size
// as the browser reports it, before a byte is read.

import { useId, useRef, useState, type DragEvent } from 'react';
import { humanBytes } from '../nn/data/errors';
import './FileDrop.css';

export interface FileDropProps {
  /** the zone's accessible name, e.g. "Your data file" */
  label: string;
  /** what can be dropped, shown under the button, e.g. "a CSV file, or an idx pair" */
  hint: string;
  /** the file input's accept list, e.g. ".csv,.gz" */
  accept: string;
  /** the most bytes one file may have */
  maxBytes: number;
  maxFiles: number;
  /** the files dropped or chosen, all within the bounds */
  onFiles: (files: File[]) => void;
  /** why the files were refused (over a bound) */
  onRefused: (message: string) => void;
  /** the files in use now: their names and sizes are shown */
  current?: readonly { name: string; size: number }[];
  disabled?: boolean;
}

/** the refusal for files over the bounds, or null */
export function checkFiles(files: readonly { name: string; size: number }[], maxBytes: number, maxFiles: number): string | null {
  if (files.length === 0) return 'no file was dropped';
  if (files.length > maxFiles) return `${files.length} files at once; at most ${maxFiles}`;
  const big = files.find((f) => f.size > maxBytes);
  if (!big) return null;
  // exact counts when the rounded sizes read the same
  const [size, limit] = humanBytes(big.size) === humanBytes(maxBytes) ? [`${big.size.toLocaleString('en-US')} bytes`, `${maxBytes.toLocaleString('en-US')} bytes`] : [humanBytes(big.size), humanBytes(maxBytes)];
  return `${big.name} is ${size}, over the limit of ${limit} per file; nothing was read`;
}

export function FileDrop({ label, hint, accept, maxBytes, maxFiles, onFiles, onRefused, current = [], disabled = false }: FileDropProps) {
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const [over, setOver] = useState(false);

  const take = (list: FileList | null) => {
    const files = list ? Array.from(list) : [];
    const refusal = checkFiles(files, maxBytes, maxFiles);
    if (refusal) onRefused(refusal);
    else onFiles(files);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (!disabled) take(e.dataTransfer.files);
  };
  return (
    <div
      className={`file-drop${over ? ' over' : ''}`}
      role="group"
      aria-label={label}
      aria-describedby={hintId}
      data-testid="file-drop"
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p className="file-drop-line">
        Drop {maxFiles > 1 ? 'files' : 'a file'} here, or{' '}
        <button type="button" onClick={() => input.current?.click()} disabled={disabled}>
          Choose a file
        </button>
      </p>
      <p className="muted small" id={hintId}>
        {hint} At most {humanBytes(maxBytes)} per file; the files stay on this computer.
      </p>
      <input
        ref={input}
        // reached through the button (the one control a keyboard and a screen reader meet)
        hidden
        type="file"
        accept={accept}
        multiple={maxFiles > 1}
        onChange={(e) => {
          take(e.currentTarget.files);
          e.currentTarget.value = ''; // the same file chosen again is a new choice
        }}
      />
      {current.length ? (
        <ul className="file-drop-files" aria-label="Files in use">
          {current.map((f) => (
            <li key={f.name}>
              <span className="mono">{f.name}</span> <span className="muted">({humanBytes(f.size)})</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
