//! Seeded random sampling, reproducible per partition.

use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Poisson};
use rand_pcg::Pcg64Mcg;

use super::action::{Smallest, concat};
use super::{Data, Rdd};
use crate::Result;
use crate::scheduler::run_job;

/// The generator of one partition: the same `seed` and `partition` give the
/// same numbers on every pool and every run.
pub(crate) fn partition_rng(seed: u64, partition: usize) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(seed ^ (partition as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Why `fraction` cannot be sampled, if it cannot.
pub(crate) fn check_fraction(with_replacement: bool, fraction: f64) -> Result<(), String> {
    if !fraction.is_finite() || fraction < 0.0 {
        Err(format!(
            "fraction must be finite and non-negative, got {fraction}"
        ))
    } else if !with_replacement && fraction > 1.0 {
        Err(format!(
            "fraction must be at most 1 without replacement, got {fraction}"
        ))
    } else {
        Ok(())
    }
}

/// The batch function sampling one partition.
pub(crate) fn sampler<T: Clone>(
    with_replacement: bool,
    fraction: f64,
    seed: u64,
    partition: usize,
) -> impl FnMut(Vec<T>) -> Vec<T> + Send + 'static {
    let mut rng = partition_rng(seed, partition);
    let poisson = (with_replacement && fraction > 0.0)
        .then(|| Poisson::new(fraction).ok())
        .flatten();
    move |mut batch: Vec<T>| {
        if !with_replacement {
            batch.retain(|_| rng.random::<f64>() < fraction);
            return batch;
        }
        let Some(poisson) = &poisson else {
            return Vec::new();
        };
        let mut sampled = Vec::new();
        for element in batch {
            let copies = poisson.sample(&mut rng) as usize;
            sampled.extend(std::iter::repeat_n(element, copies));
        }
        sampled
    }
}

/// `n` distinct elements chosen uniformly in one pass: every element gets a
/// random key and each partition keeps its `n` smallest keys; the `n`
/// smallest overall, in key order, are the sample.
pub(crate) fn without_replacement<T: Data>(rdd: &Rdd<T>, n: usize, seed: u64) -> Result<Vec<T>> {
    let by_key = |a: &(u64, T), b: &(u64, T)| a.0.cmp(&b.0);
    let parts = run_job(rdd, &rdd.all_partitions(), |partition, batches| {
        let mut rng = partition_rng(seed, partition);
        let mut smallest = Smallest::new(n, &by_key);
        for batch in batches {
            smallest.extend(
                batch?
                    .into_iter()
                    .map(|element| (rng.random::<u64>(), element)),
            );
        }
        Ok(smallest.finish())
    })?;
    let mut smallest = Smallest::new(n, &by_key);
    parts.into_iter().for_each(|part| smallest.extend(part));
    Ok(smallest
        .finish()
        .into_iter()
        .map(|(_, element)| element)
        .collect())
}

/// `n` independent uniform draws: one job counts the partitions, the draws
/// are made on the caller's thread, a second job fetches the drawn positions.
pub(crate) fn with_replacement<T: Data>(rdd: &Rdd<T>, n: usize, seed: u64) -> Result<Vec<T>> {
    let counts = rdd.fold_batches(|| 0u64, |count, batch| count + batch.len() as u64)?;
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return Ok(Vec::new());
    }
    // The caller's draws use a generator no partition uses.
    let mut rng = partition_rng(seed, usize::MAX);
    let mut draws: Vec<u64> = (0..n).map(|_| rng.random_range(0..total)).collect();
    draws.sort_unstable();
    let mut wanted: Vec<Vec<u64>> = vec![Vec::new(); counts.len()];
    let mut start = 0;
    let mut partition = 0;
    for draw in draws {
        while draw >= start + counts[partition] {
            start += counts[partition];
            partition += 1;
        }
        wanted[partition].push(draw - start);
    }
    let partitions: Vec<usize> = (0..counts.len())
        .filter(|&p| !wanted[p].is_empty())
        .collect();
    let wanted = &wanted;
    let parts = run_job(rdd, &partitions, |partition, batches| {
        let positions = &wanted[partition];
        let mut picked = Vec::with_capacity(positions.len());
        let mut next = 0;
        let mut offset = 0u64;
        for batch in batches {
            let batch = batch?;
            let end = offset + batch.len() as u64;
            while next < positions.len() && positions[next] < end {
                picked.push(batch[(positions[next] - offset) as usize].clone());
                next += 1;
            }
            offset = end;
            if next == positions.len() {
                break;
            }
        }
        Ok(picked)
    })?;
    let mut sampled = concat(parts);
    sampled.shuffle(&mut rng);
    Ok(sampled)
}
