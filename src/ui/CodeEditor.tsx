// A code editor (CodeMirror 6) for the student's JavaScript/TypeScript: line numbers,
// syntax highlighting, bracket matching, undo, and error markers from `diagnostics`
// (drawn at the given line, with the message in the gutter and under the code).
//
// Keyboard: Tab indents (indentWithTab). To leave the editor with the keyboard press
// Escape, then Tab (or Shift-Tab) — CodeMirror's documented way not to trap focus; the
// hint under the editor says so. Pure presentational: the text comes in as `value` and
// goes out through `onChange`; no store.

import { indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Annotation, EditorState } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useId, useRef } from 'react';

export interface CodeDiagnostic {
  /** 1-based line in `value` */
  line: number;
  /** 1-based column; the whole line is marked when absent */
  column?: number;
  message: string;
  severity?: 'error' | 'warning' | 'info';
}

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  /** the editor's accessible name */
  label: string;
  diagnostics?: readonly CodeDiagnostic[];
  /** TypeScript syntax highlighting (the language is JavaScript either way) */
  typescript?: boolean;
  readOnly?: boolean;
  /** minimum height in lines */
  minLines?: number;
}

/** marks a change that came in through `value` (not the student's typing): not echoed to onChange */
const fromProps = Annotation.define<boolean>();

/** a diagnostic's 1-based line/column → a character range of the document */
function toCm(state: EditorState, d: CodeDiagnostic): Diagnostic {
  const lineNo = Math.min(Math.max(1, Math.floor(d.line)), state.doc.lines);
  const line = state.doc.line(lineNo);
  const from = d.column ? Math.min(line.to, line.from + Math.max(0, d.column - 1)) : line.from;
  // mark to the end of the line so the marker is visible even on an empty range
  const to = Math.max(from, line.to);
  return { from, to, severity: d.severity ?? 'error', message: d.message };
}

export function CodeEditor({ value, onChange, label, diagnostics, typescript = true, readOnly = false, minLines = 8 }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const hintId = useId();

  // create once; later props flow in through the effects below
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          keymap.of([indentWithTab]),
          javascript({ typescript }),
          // long lines wrap: the editor grows with its text and never scrolls on its own
          EditorView.lineWrapping,
          lintGutter(),
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-describedby': hintId }),
          EditorView.theme({ '.cm-content, .cm-gutter': { minHeight: `${minLines * 1.45}em` } }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !u.transactions.some((t) => t.annotation(fromProps))) onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // a new value from outside (reset, import): replace the text unless it is already there
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== value) v.dispatch({ changes: { from: 0, to: current.length, insert: value }, annotations: fromProps.of(true) });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, (diagnostics ?? []).map((d) => toCm(v.state, d))));
  }, [diagnostics]);

  return (
    <div className="code-editor">
      <div ref={host} className="code-editor-host" />
      <p id={hintId} className="code-editor-hint">
        Tab indents. To leave the editor with the keyboard, press Escape, then Tab.
      </p>
    </div>
  );
}
