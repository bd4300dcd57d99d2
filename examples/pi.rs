//! Estimates π by throwing random darts at the unit square (Monte Carlo).
//!
//! ```text
//! cargo run --release --example pi -- 10000000
//! ```

use sparkling::Context;

fn main() -> sparkling::Result<()> {
    let samples: i64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let ctx = Context::new();
    let partitions = ctx.default_parallelism() * 4;
    let inside = ctx
        .range_with(0, samples, partitions)
        .map(|i| {
            // A cheap, reproducible hash of the sample's index gives its point.
            let (x, y) = (unit(splitmix(i as u64)), unit(splitmix(!(i as u64))));
            x * x + y * y <= 1.0
        })
        .filter(|hit| *hit)
        .count()?;
    let pi = 4.0 * inside as f64 / samples as f64;
    println!("π is roughly {pi:.5} ({samples} samples, {partitions} partitions)");
    Ok(())
}

/// SplitMix64: a well-mixed 64-bit hash of `x`.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A number in [0, 1) from the top 53 bits.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}
