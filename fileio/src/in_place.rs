//! The claim an output job writing in place (on an object store) holds on
//! its target: `<target>/_temporary`, created only if absent and holding
//! the job's id, from `begin` until `_SUCCESS` is written.
//!
//! The claim makes two jobs starting at once exclusive (one creation
//! wins), marks the output unfinished for readers, and names its owner so
//! a later save can tell a dead job's partial output from a live one's.

use std::io::Read;

use crate::error::{Error, Result};
use crate::fs::FileSystem;
use crate::location::Location;
use crate::output::{STAGING_DIRECTORY, SUCCESS_MARKER};
use crate::staging::{owner_is_alive, owner_is_dead};

fn claim_of(target: &Location) -> Location {
    target.join(STAGING_DIRECTORY)
}

fn taken(target: &Location) -> Error {
    Error::AlreadyExists {
        path: target.to_string(),
    }
}

/// The job id in the target's claim, if there is one.
fn claimant(fs: &dyn FileSystem, target: &Location) -> Result<Option<String>> {
    let claim = claim_of(target);
    let mut reader = match fs.open(&claim) {
        Ok(reader) => reader,
        Err(Error::NotFound { .. } | Error::IsDirectory { .. }) => return Ok(None),
        Err(other) => return Err(other),
    };
    let mut job_id = String::new();
    reader
        .read_to_string(&mut job_id)
        .map_err(|err| Error::from_io(claim.to_string(), err))?;
    Ok(Some(job_id))
}

/// Claims `target` for job `job_id`, first removing what is there when
/// that is allowed: with `overwrite`, unless a live job on this host
/// claims it; without, only a dead job's unfinished output.
pub(crate) fn claim(
    fs: &dyn FileSystem,
    target: &Location,
    job_id: &str,
    overwrite: bool,
) -> Result<()> {
    if fs.exists(target)? {
        let replaceable = match claimant(fs, target)? {
            Some(owner) if owner_is_alive(&owner) => false,
            Some(owner) if owner_is_dead(&owner) => {
                overwrite || !fs.exists(&target.join(SUCCESS_MARKER))?
            }
            _ => overwrite,
        };
        if !replaceable {
            return Err(taken(target));
        }
        fs.delete(target, true)?;
    }
    let claim = claim_of(target);
    match fs.create_new(&claim, job_id.as_bytes()) {
        Err(Error::AlreadyExists { .. }) => return Err(taken(target)),
        other => other?,
    }
    // A job that finished between the check above and the claim left its
    // output (and removed its claim): the target is taken after all.
    let others = fs.list(target, false)?;
    if others.iter().any(|entry| entry.location != claim) {
        let _ = fs.delete(&claim, false);
        return Err(taken(target));
    }
    Ok(())
}

/// Fails unless job `job_id` still holds the claim on `target` (another
/// job's overwrite may have replaced the output meanwhile).
pub(crate) fn check_claim(fs: &dyn FileSystem, target: &Location, job_id: &str) -> Result<()> {
    match claimant(fs, target)? {
        Some(owner) if owner == job_id => Ok(()),
        _ => Err(taken(target)),
    }
}

/// Removes the claim once `_SUCCESS` is written.
pub(crate) fn release(fs: &dyn FileSystem, target: &Location) -> Result<()> {
    fs.delete(&claim_of(target), false)
}
