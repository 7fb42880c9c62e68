// group_sum(t, v): the sum of v over the GROUP_SIZE invocations of a workgroup, every
// invocation getting the total — the reduction step of the kernels that add along rows
// (column sums, weight gradients).
// block_sum(t, acc): the sum of four 4×4 register blocks over the GROUP_SIZE invocations,
// left in invocation 0's acc — the reduction step of the convolution weight gradient
// (conv_backward.wgsl), where every invocation holds up to 8×8 partial sums.
//
// GROUP_SIZE, a power of two, is the kernel's workgroup size (an override it declares);
// for block_sum at most 64 (4·64 blocks of 64 bytes fill 16 KiB, WebGPU's guaranteed
// workgroup memory).
//
// Two paths, one result. When the workgroup ran as one subgroup (one_subgroup, from
// subgroup_path.wgsl), subgroupAdd adds all of it in registers: no workgroup memory, no
// barrier tree. Otherwise the values meet in workgroup memory and are added pairwise,
// GROUP_SIZE/2, /4, … at a time (a fixed order: the result is the same every run). On a
// device without the 'subgroups' feature subgroup_path.wgsl says "never", and only the
// workgroup-memory path is compiled; with it the engine uses subgroup_path_subgroups.wgsl
// and makes GROUP_SIZE the adapter's smallest subgroup size.

// uses lib/subgroup_path.wgsl

var<workgroup> group_partial: array<f32, GROUP_SIZE>;
var<workgroup> block_partial: array<mat4x4<f32>, 4u * GROUP_SIZE>;

fn group_sum(t: u32, v: f32) -> f32 {
  if (one_subgroup(t)) {
    return subgroup_sum(v);
  }
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

fn block_sum(t: u32, acc: ptr<function, array<mat4x4<f32>, 4>>) {
  if (one_subgroup(t)) {
    for (var m = 0u; m < 4u; m++) {
      for (var col = 0u; col < 4u; col++) { (*acc)[m][col] = subgroup_sum4((*acc)[m][col]); }
    }
    return;
  }
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
