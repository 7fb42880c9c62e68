// block_sum(t, acc): the sum of four 4×4 register blocks over the GROUP_SIZE invocations of
// a workgroup, left in invocation 0's acc — the reduction step of the convolution weight
// gradient (conv_backward.wgsl), where every invocation holds up to 8×8 partial sums. This
// is the portable version: the blocks meet in workgroup memory and are added pairwise,
// GROUP_SIZE/2, /4, … at a time (a fixed order: the result is the same every run).
// GROUP_SIZE, a power of two ≤ 64 (4·64 blocks of 64 bytes fill 16 KiB, WebGPU's
// guaranteed workgroup memory), is the kernel's workgroup size.
//
// The engine puts this file in front of a kernel that calls block_sum; on a device with
// the 'subgroups' feature it may put block_sum_subgroups.wgsl there instead.

var<workgroup> block_partial: array<mat4x4<f32>, 4u * GROUP_SIZE>;

fn block_sum(t: u32, acc: ptr<function, array<mat4x4<f32>, 4>>) {
  for (var m = 0u; m < 4u; m++) { block_partial[m * GROUP_SIZE + t] = (*acc)[m]; }
  workgroupBarrier();
  for (var width = GROUP_SIZE / 2u; width > 0u; width /= 2u) {
    if (t < width) {
      for (var m = 0u; m < 4u; m++) { block_partial[m * GROUP_SIZE + t] += block_partial[m * GROUP_SIZE + t + width]; }
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    for (var m = 0u; m < 4u; m++) { (*acc)[m] = block_partial[m * GROUP_SIZE]; }
  }
}
