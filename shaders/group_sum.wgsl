// group_sum(t, v): the sum of v over the GROUP_SIZE invocations of a workgroup, every
// invocation getting the total — the reduction step of the kernels that add along rows
// (column sums, weight gradients). This is the portable version: the values meet in
// workgroup memory and are added pairwise, GROUP_SIZE/2, /4, … at a time (a fixed order:
// the result is the same every run). GROUP_SIZE, a power of two, is the kernel's
// workgroup size (an override it declares).
//
// The engine puts this file in front of a kernel that calls group_sum; on a device with
// the 'subgroups' feature it may put group_sum_subgroups.wgsl there instead.

var<workgroup> group_partial: array<f32, GROUP_SIZE>;

fn group_sum(t: u32, v: f32) -> f32 {
  group_partial[t] = v;
  workgroupBarrier();
  for (var width = GROUP_SIZE / 2u; width > 0u; width /= 2u) {
    if (t < width) { group_partial[t] += group_partial[t + width]; }
    workgroupBarrier();
  }
  let total = group_partial[0];
  workgroupBarrier();   // group_partial is free for the next call
  return total;
}
