// workgroup_sum(t, v, n): the sum of v over the first n invocations of a workgroup (n a
// power of two, at most 256), every invocation getting the total — the reduction step of
// the kernels that reduce a whole tensor in one workgroup (the losses, the finite check).
// The values meet in workgroup memory and are added pairwise, n/2, n/4, … at a time (a
// fixed order: the result is the same every run). A kernel that sums twice passes a
// workgroupBarrier() in between, so that every invocation has read the first total
// before the memory is reused.

var<workgroup> wsum_partial: array<f32, 256u>;

fn workgroup_sum(t: u32, v: f32, n: u32) -> f32 {
  wsum_partial[t] = v;
  workgroupBarrier();
  for (var width = n / 2u; width > 0u; width /= 2u) {
    if (t < width) { wsum_partial[t] += wsum_partial[t + width]; }
    workgroupBarrier();
  }
  return wsum_partial[0];
}
