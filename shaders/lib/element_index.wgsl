// element_index(gid, groups, width): the flat index of an invocation of a 1-D kernel.
//
// A dispatch holds at most 65535 workgroups along x, so above that the host launches a 2-D
// grid: groups.y rows of groups.x workgroups of `width` invocations (the kernel's workgroup
// size). Invocation gid of that grid handles element
//
//   i = gid.x + gid.y · groups.x · width
//
// and returns early when i is past the end (the last row of the grid is not full).
//
// The engine puts this file in front of a kernel whose file says `// uses lib/element_index.wgsl`.

fn element_index(gid: vec3u, groups: vec3u, width: u32) -> u32 {
  return gid.x + gid.y * groups.x * width;
}
