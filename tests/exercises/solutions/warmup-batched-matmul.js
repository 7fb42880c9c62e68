function batchedMatmul(A, B) {
  return np.matmul(A, B);
}

function batchedMatmulEinsum(A, B) {
  return np.einsum('bik,bkj->bij', A, B);
}
