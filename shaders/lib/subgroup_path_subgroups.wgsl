enable subgroups;

// The subgroup path of group_sum and block_sum (group_sum.wgsl) with subgroup operations
// (the device's 'subgroups' feature).
//
// The host makes GROUP_SIZE the adapter's smallest subgroup size, so a workgroup is one
// subgroup and subgroupAdd adds all of it in registers. Whether the device really ran the
// workgroup as one subgroup is checked (the subgroup counts its members); if not,
// one_subgroup is false and the values take the workgroup-memory path, so the result
// never depends on how invocations are grouped.

var<workgroup> group_one_subgroup: u32;

// true (in every invocation) when the workgroup ran as a single subgroup
fn one_subgroup(t: u32) -> bool {
  let members = subgroupAdd(1u);                    // invocations in this subgroup
  if (t == 0u) { group_one_subgroup = select(0u, 1u, members == GROUP_SIZE); }
  return workgroupUniformLoad(&group_one_subgroup) == 1u;
}

fn subgroup_sum(v: f32) -> f32 {
  return subgroupAdd(v);
}

fn subgroup_sum4(v: vec4<f32>) -> vec4<f32> {
  return subgroupAdd(v);
}
