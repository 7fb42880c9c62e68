enable subgroups;

// group_sum(t, v) with subgroup operations (the device's 'subgroups' feature): the sum of
// v over the GROUP_SIZE invocations of a workgroup, every invocation getting the total.
//
// The host makes GROUP_SIZE the adapter's smallest subgroup size, so a workgroup is one
// subgroup and subgroupAdd adds all of it in registers: no workgroup memory, no barrier
// tree. Whether the device really ran the workgroup as one subgroup is checked (the
// subgroup counts its members); if not, the values take the portable path of
// group_sum.wgsl, so the result never depends on how invocations are grouped.

var<workgroup> group_partial: array<f32, GROUP_SIZE>;
var<workgroup> group_one_subgroup: u32;

fn group_sum(t: u32, v: f32) -> f32 {
  let members = subgroupAdd(1u);                    // invocations in this subgroup
  if (t == 0u) { group_one_subgroup = select(0u, 1u, members == GROUP_SIZE); }
  if (workgroupUniformLoad(&group_one_subgroup) == 1u) {
    return subgroupAdd(v);
  }
  group_partial[t] = v;
  workgroupBarrier();
  for (var width = GROUP_SIZE / 2u; width > 0u; width /= 2u) {
    if (t < width) { group_partial[t] += group_partial[t + width]; }
    workgroupBarrier();
  }
  let total = group_partial[0];
  workgroupBarrier();
  return total;
}
