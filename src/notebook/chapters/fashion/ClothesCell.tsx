// Cell: the clothes — the first test images of each Fashion-MNIST class, a row per class
// with its name, as the network sees them (28 × 28 grey, pixels in [0, 1]).

import { GreyImage } from '../../../ui/GreyImage';
import { ImagesGate } from './ImagesGate';
import { firstOfEachClass } from './test-images';

const PER_CLASS = 8;
const PIXELS = 28 * 28;

export function ClothesCell() {
  return (
    <div className="lab-cell">
      <ImagesGate why="The grid shows the first test images of each class; the test set (10,000 images) is downloaded when you ask for it.">
        {(ds) => (
          <table className="clothes-grid" data-testid="clothes-grid">
            <caption className="small muted">
              The first {PER_CLASS} images of each class ({ds.labels.length.toLocaleString('en-US')} images in all).
            </caption>
            <tbody>
              {firstOfEachClass(ds, PER_CLASS).map((indices, c) => (
                <tr key={c}>
                  <th scope="row">
                    {c} · {ds.classNames[c]}
                  </th>
                  <td>
                    {indices.map((i) => (
                      <GreyImage key={i} pixels={ds.features.subarray(i * PIXELS, (i + 1) * PIXELS)} zoom={1.5} label={`image ${i}: ${ds.classNames[c]}`} />
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ImagesGate>
    </div>
  );
}
