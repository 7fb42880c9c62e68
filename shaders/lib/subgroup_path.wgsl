// The subgroup path of group_sum and block_sum (group_sum.wgsl) on a device without the
// 'subgroups' feature: never taken. The engine uses subgroup_path_subgroups.wgsl instead
// where the device has subgroups and the kernel may use them.

fn one_subgroup(t: u32) -> bool {
  return false;
}

fn subgroup_sum(v: f32) -> f32 {
  return v;
}

fn subgroup_sum4(v: vec4<f32>) -> vec4<f32> {
  return v;
}
