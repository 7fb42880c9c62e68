// The module scripts/wgsl-reflection.ts serves: what the WGSL of shaders/ declares,
// reflected at build time (see runtime/reflection.ts).
declare module 'virtual:wgsl-reflection' {
  const reflections: import('./runtime/reflection').ShaderReflections;
  export default reflections;
}
