//! Jobs across the processes of a cluster (feature `cluster`): each
//! process computes the partitions it owns, and every process gets every
//! partition's result, so the program goes on in step everywhere.
//!
//! Before a job runs, the processes compare their plans (the job's
//! lineage, one RDD a line): a process that built a different plan fails
//! the job on every process, naming the first RDD that differs.

use std::sync::Arc;

use crate::jobs::JobToken;
use crate::peers::{Peers, Step};
use crate::rdd::{Data, Rdd};
use crate::scheduler::run_here;
use crate::{Error, Result, Wire};

/// Runs the partitions of `partitions` this process owns, then gathers
/// every process's results, in the order of `partitions`, on every process.
pub(crate) fn run_spread<T, R, F>(
    peers: &Peers,
    job: &Arc<JobToken>,
    rdd: &Rdd<T>,
    label: String,
    partitions: &[usize],
    task: &F,
) -> Result<Vec<R>>
where
    T: Data,
    R: Send + Wire,
    F: Fn(usize) -> Result<R> + Sync,
{
    let owned: Vec<usize> = partitions
        .iter()
        .copied()
        .filter(|&partition| peers.owns(partition))
        .collect();
    let local =
        check_plan(peers, job.id(), rdd).and_then(|()| run_here(rdd, label, &owned, task, job));
    let gathered = peers.all_gather(job.id(), Step::Results, local)?;
    let mut by_process: Vec<_> = gathered.into_iter().map(Vec::into_iter).collect();
    partitions
        .iter()
        .map(|&partition| {
            let owner = peers.owner(partition);
            by_process[owner].next().ok_or_else(|| Error::Cluster {
                message: format!(
                    "process {owner} sent no result for partition {partition} of {}",
                    rdd.label()
                ),
            })
        })
        .collect()
}

/// Runs the partitions of `rdd` this process owns, as a job whose results
/// stay here: `then` gets the job's id and each owned partition's result
/// (a shuffle's map side sends its buckets itself).
pub(crate) fn run_owned<T, R, F, X>(
    peers: &Peers,
    rdd: &Rdd<T>,
    task: F,
    then: impl FnOnce(usize, Result<Vec<(usize, R)>>) -> Result<X>,
) -> Result<X>
where
    T: Data,
    R: Send,
    F: Fn(usize) -> Result<R> + Sync,
{
    rdd.context().check_config()?;
    // Formatted once: the job and its stage both name the RDD.
    let label = rdd.label();
    rdd.context().run_as_job(label.clone(), |job| {
        let owned: Vec<usize> = rdd
            .all_partitions()
            .into_iter()
            .filter(|&partition| peers.owns(partition))
            .collect();
        let local = check_plan(peers, job.id(), rdd)
            .and_then(|()| run_here(rdd, label, &owned, &task, job))
            .map(|results| owned.into_iter().zip(results).collect());
        then(job.id(), local)
    })
}

/// Compares this process's plan for `rdd` with every other process's.
fn check_plan<T: Data>(peers: &Peers, job: usize, rdd: &Rdd<T>) -> Result<()> {
    let plan: Vec<String> = crate::plan::debug_string(rdd.lineage())
        .lines()
        .map(str::to_owned)
        .collect();
    let plans = peers.all_gather(job, Step::Plan, Ok(plan))?;
    first_mismatch(&plans).map_or(Ok(()), Err)
}

/// The error naming the first process whose plan differs from process
/// 0's, and the first line (RDD) where it does.
fn first_mismatch(plans: &[Vec<String>]) -> Option<Error> {
    let (reference, others) = plans.split_first()?;
    others.iter().enumerate().find_map(|(index, plan)| {
        let lines = plan.len().max(reference.len());
        (0..lines).find_map(|line| {
            let found = plan.get(line).map_or("", |rdd| rdd.trim());
            let expected = reference.get(line).map_or("", |rdd| rdd.trim());
            (found != expected).then(|| Error::PlanMismatch {
                process: index + 1,
                found: found.to_string(),
                expected: expected.to_string(),
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|line| line.to_string()).collect()
    }

    #[test]
    fn the_first_differing_rdd_is_named() {
        let same = plan(&["(2) map[1]", " |  range[0]"]);
        assert!(first_mismatch(&[same.clone(), same.clone()]).is_none());
        let other = plan(&["(2) map[1]", " |  parallelize[0]"]);
        let error = first_mismatch(&[same.clone(), same.clone(), other]).unwrap();
        assert!(
            matches!(&error, Error::PlanMismatch { process: 2, found, expected }
                if found == "|  parallelize[0]" && expected == "|  range[0]"),
            "{error}"
        );
        let shorter = plan(&["(2) map[1]"]);
        let error = first_mismatch(&[same, shorter]).unwrap();
        assert!(
            matches!(&error, Error::PlanMismatch { process: 1, found, .. } if found.is_empty())
        );
    }
}
