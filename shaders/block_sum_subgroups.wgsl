enable subgroups;

// block_sum(t, acc) with subgroup operations (the device's 'subgroups' feature): the sum of
// four 4×4 register blocks over the GROUP_SIZE invocations of a workgroup, left in
// invocation 0's acc.
//
// The host makes GROUP_SIZE the adapter's smallest subgroup size, so a workgroup is one
// subgroup and subgroupAdd adds each column of the blocks in registers: no workgroup
// memory traffic, no barrier tree. Whether the device really ran the workgroup as one
// subgroup is checked (the subgroup counts its members); if not, the blocks take the
// portable path of block_sum.wgsl, so the result never depends on how invocations are
// grouped.

var<workgroup> block_partial: array<mat4x4<f32>, 4u * GROUP_SIZE>;
var<workgroup> block_one_subgroup: u32;

fn block_sum(t: u32, acc: ptr<function, array<mat4x4<f32>, 4>>) {
  let members = subgroupAdd(1u);                    // invocations in this subgroup
  if (t == 0u) { block_one_subgroup = select(0u, 1u, members == GROUP_SIZE); }
  if (workgroupUniformLoad(&block_one_subgroup) == 1u) {
    for (var m = 0u; m < 4u; m++) {
      for (var col = 0u; col < 4u; col++) { (*acc)[m][col] = subgroupAdd((*acc)[m][col]); }
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
