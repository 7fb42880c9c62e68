// What the picture cells show until the Fashion-MNIST images are loaded: a button that
// loads them (nothing is fetched before it is pressed), the progress, or the failure with
// a retry; then `children` with the images.

import type { ReactNode } from 'react';
import type { ClassificationDataset } from '../../../nn/data/dataset';
import { Progress } from '../../../ui/controls';
import { useFashionImages } from './test-images';

export function ImagesGate({ children, why }: { children: (ds: ClassificationDataset) => ReactNode; why: string }) {
  const status = useFashionImages((s) => s.status);
  const data = useFashionImages((s) => s.data);
  const error = useFashionImages((s) => s.error);
  const load = useFashionImages((s) => s.load);
  if (status === 'ready' && data) return <>{children(data)}</>;
  if (status === 'loading') return <Progress label="Loading the Fashion-MNIST test images (4.4 MB)…" />;
  return (
    <div className="images-gate">
      {status === 'failed' ? (
        <p className="notice error" role="alert">
          Loading the Fashion-MNIST images failed: {error}
        </p>
      ) : null}
      <p className="small muted">{why}</p>
      <button type="button" onClick={load}>
        {status === 'failed' ? 'Try loading the test images again' : 'Load the test images (4.4 MB)'}
      </button>
    </div>
  );
}
