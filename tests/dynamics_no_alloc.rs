//! The dynamics processors do no allocation after `new`: every per-block
//! call (process, set, getters, reset) runs under assert_no_alloc, which
//! aborts the test binary on any allocation or free.

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use mixbridge::engine::dsp::compressor::Compressor;
use mixbridge::engine::dsp::gate::Gate;
use mixbridge::engine::dsp::limiter::Limiter;
use mixbridge::params::{CompField, GateField, LimiterField};

#[cfg(debug_assertions)]
#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

#[test]
fn per_block_calls_do_not_allocate() {
    let mut gate = Gate::new(48_000.0);
    let mut comp = Compressor::new(48_000.0);
    let mut lim = Limiter::new(48_000.0);
    let mut l = vec![0.0f32; 1024];
    let mut r = vec![0.0f32; 1024];
    let sizes = [1usize, 64, 1024, 7, 333];
    let report = assert_no_alloc(|| {
        let mut report = 0.0f32;
        for (i, &n) in sizes.iter().cycle().take(200).enumerate() {
            for (k, (a, b)) in l[..n].iter_mut().zip(r[..n].iter_mut()).enumerate() {
                let t = (i * 1024 + k) as f32 / 48_000.0;
                *a = 2.0 * (t * 2765.0).sin() * if i % 10 < 5 { 1.0 } else { 0.001 };
                *b = -*a;
            }
            let v = (i % 7) as f32;
            gate.set(GateField::Threshold, -50.0 + v);
            gate.set(GateField::On, (i % 3 != 0) as u8 as f32);
            comp.set(CompField::Ratio, 2.0 + v);
            comp.set(CompField::Knee, v);
            comp.set(CompField::On, (i % 5 != 0) as u8 as f32);
            lim.set(LimiterField::Ceiling, -1.0 - v * 0.1);
            lim.set(LimiterField::Release, 50.0 + v);
            gate.process_mono(&mut l[..n]);
            gate.process_stereo(&mut l[..n], &mut r[..n]);
            comp.process_mono(&mut l[..n]);
            comp.process_stereo(&mut l[..n], &mut r[..n]);
            lim.process_stereo(&mut l[..n], &mut r[..n]);
            report += gate.gain_reduction_db() + comp.gain_reduction_db() + lim.gain_reduction_db();
            report += gate.static_gain_db(-40.0)
                + comp.static_gain_db(-10.0)
                + lim.latency_samples() as f32;
            if i == 100 {
                gate.reset();
                comp.reset();
                lim.reset();
            }
        }
        report
    });
    assert!(report.is_finite());
}
