// The activations σ by code, as the layers name them (and as the host passes them in a
// uniform or an override constant):
//
//   code  σ          y = σ(z)                 σ'(z), written with y
//   0     linear     y = z                    1
//   1     relu       y = max(z, 0)            1 if y > 0, else 0
//   2     sigmoid    y = 1 / (1 + e^(−z))     y·(1 − y)
//   3     tanh       y = tanh(z)              1 − y²
//
//   activate(z, code)         σ(z)
//   activate_grad(y, code)    σ'(z) from the output y = σ(z) (the forward pass keeps y, not z)
//   activate4, activate_grad4 the same formulas on 4 values at once
//
// The engine puts this file in front of a kernel whose file says `// uses lib/activation.wgsl`.

fn activate(z: f32, code: u32) -> f32 {
  switch code {
    case 1u: { return max(z, 0.0); }
    case 2u: {
      // the form that never overflows: e^z / (1 + e^z) for z < 0
      if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
      let e = exp(z);
      return e / (1.0 + e);
    }
    case 3u: { return tanh(clamp(z, -15.0, 15.0)); }  // |z| ≥ 15 is ±1 in f32
    default: { return z; }
  }
}

fn activate_grad(yv: f32, code: u32) -> f32 {
  switch code {
    case 1u: { return select(0.0, 1.0, yv > 0.0); }
    case 2u: { return yv * (1.0 - yv); }
    case 3u: { return 1.0 - yv * yv; }
    default: { return 1.0; }
  }
}

fn activate4(z: vec4<f32>, code: u32) -> vec4<f32> {
  switch code {
    case 1u: { return max(z, vec4<f32>(0.0)); }
    case 2u: {
      let e = exp(-abs(z));   // e^−z where z ≥ 0, e^z where z < 0: never overflows
      return select(e / (1.0 + e), 1.0 / (1.0 + e), z >= vec4<f32>(0.0));
    }
    case 3u: { return tanh(clamp(z, vec4<f32>(-15.0), vec4<f32>(15.0))); }
    default: { return z; }
  }
}

fn activate_grad4(yv: vec4<f32>, code: u32) -> vec4<f32> {
  switch code {
    case 1u: { return select(vec4<f32>(0.0), vec4<f32>(1.0), yv > vec4<f32>(0.0)); }
    case 2u: { return yv * (1.0 - yv); }
    case 3u: { return 1.0 - yv * yv; }
    default: { return vec4<f32>(1.0); }
  }
}
