function trace(A) {
  const n = A.shape[0];
  let s = 0;
  for (let i = 0; i < n; i++) s += A.get(i, i).item();
  return s;
}

function traceEinsum(A) {
  return np.einsum('ii', A);
}
