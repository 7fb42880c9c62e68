// The student's CSV in the playground: the notebook's own-data cell (drop zone, the
// worker's preview, the label column) for one CSV file, whose rows are then read on the
// page (csv.ts) and become the data set "Your CSV". A file refused by the parser or by
// csvMisfit leaves the data in use and the network as they were.

import { useCallback, useState } from 'react';
import { OwnData, type OwnDataAccepted } from '../../cells/OwnData';
import { parseOwnData } from '../../../train/own-data';
import { Select } from '../../../ui/controls';
import { csvMisfit, MAX_CSV_CLASSES, MAX_CSV_ROWS, pickAxis, useCsv } from './csv';
import { playgroundSettings, usePlaygroundSettings } from './settings';

const FORMATS = ['csv'] as const;

const SCALING =
  'The two columns on the plot’s axes are standardized (mean 0, standard deviation 1 over all rows) before the first layer; the plot keeps the file’s units. The network trains on every row: there is no test split here.';

export function CsvControls() {
  const [error, setError] = useState<string | null>(null);
  const onAccept = useCallback(async ({ source }: OwnDataAccepted) => {
    const file = source.files[0]!;
    try {
      // the rows on the page: the file passed the worker's preview, so it is small and parses
      const { data } = await parseOwnData(source);
      setError(null);
      useCsv.setState({ csv: { file: { name: file.name, size: file.bytes.length }, dataset: data, axes: [0, 1] }, note: null });
      if (playgroundSettings().data !== 'csv') usePlaygroundSettings.getState().set('data', 'csv');
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);
  return (
    <fieldset className="pg-fieldset pg-csv">
      <legend>Your CSV</legend>
      <p className="muted small pg-note pg-csv-lead">
        Numeric feature columns and one label column of classes (names, or integers 0, 1, 2, …): 2 to {MAX_CSV_CLASSES} classes and at most{' '}
        {MAX_CSV_ROWS.toLocaleString('en-US')} rows. With more than two features, choose the two on the plot's axes under Data; the network trains on
        those two. Real-valued labels (a regression) are not taken here.
      </p>
      <OwnData formats={FORMATS} seed={0} testFraction={null} fits={csvMisfit} scaling={SCALING} onAccept={(d) => void onAccept(d)} />
      {error ? (
        <p className="notice error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** the two feature columns on the axes, when the file has more than two */
export function CsvAxes() {
  const csv = useCsv((s) => s.csv);
  if (!csv) return null;
  const names = csv.dataset.featureNames ?? [];
  if (names.length <= 2) return null;
  const options = names.map((c, j) => ({ value: String(j), label: c }));
  const put = (which: 0 | 1) => (v: string) => useCsv.setState({ csv: { ...csv, axes: pickAxis(csv.axes, which, Number(v)) } });
  return (
    <>
      <Select<string> label="Horizontal axis (x₁)" value={String(csv.axes[0])} options={options} onChange={put(0)} />
      <Select<string> label="Vertical axis (x₂)" value={String(csv.axes[1])} options={options} onChange={put(1)} />
    </>
  );
}
