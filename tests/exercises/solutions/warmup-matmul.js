function matmul(A, B) {
  return np.matmul(A, B);
}

function matmulEinsum(A, B) {
  return np.einsum('ik,kj->ij', A, B);
}
