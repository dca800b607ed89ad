//! Running a stereo processor the way the engine does: in blocks of varying
//! length (so results cannot depend on it), with denormals flushed, under
//! the allocation guard (the test binary installs `AllocDisabler`).

use assert_no_alloc::assert_no_alloc;
use mixbridge::engine::denormal::FlushDenormals;

/// Block sizes cycled through.
pub const BLOCKS: [usize; 6] = [64, 1, 1024, 37, 256, 500];

/// Run `process` over `l`/`r` in blocks of [`BLOCKS`] sizes.
pub fn in_blocks(l: &mut [f32], r: &mut [f32], mut process: impl FnMut(&mut [f32], &mut [f32])) {
    let _ftz = FlushDenormals::new();
    assert_no_alloc(|| {
        let mut start = 0;
        let mut k = 0;
        while start < l.len() {
            let end = (start + BLOCKS[k % BLOCKS.len()]).min(l.len());
            process(&mut l[start..end], &mut r[start..end]);
            start = end;
            k += 1;
        }
    });
}
