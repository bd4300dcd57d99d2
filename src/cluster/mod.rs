//! Cluster mode (feature `cluster`): the same program on N processes, over
//! timely dataflow's communication layer (`timely_communication`).
//!
//! Rust closures cannot travel, so cluster mode is SPMD: every process runs
//! the same binary, builds the same plan in the same order, and only data
//! crosses the network. One line differs from a single-process program:
//!
//! ```no_run
//! # fn main() -> sparkling::Result<()> {
//! let ctx = sparkling::Context::builder().cluster_from_env()?.build()?;
//! let counts = ctx
//!     .text_file("logs/*.txt")?
//!     .flat_map(|line| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
//!     .map(|word| (word, 1u64))
//!     .reduce_by_key(|a, b| a + b);
//! let total = counts.count()?; // the same answer on every process
//! # let _ = total; Ok(()) }
//! ```
//!
//! launched as `SPARKLING_PROCESSES=4 SPARKLING_PROCESS=i
//! SPARKLING_HOSTFILE=hosts.txt ./job` on each machine (or with timely's
//! `-n 4 -p i -h hosts.txt`), or on one machine with [`launch_local`].
//!
//! # Semantics
//!
//! - Partition `p` of every RDD is computed by process `p % N`, on that
//!   process's pool. Narrow stages never touch the network.
//! - A shuffle's map side buckets each owned partition as in a single
//!   process (with the same map-side combine) and sends each bucket to the
//!   process owning its output partition, in one round.
//! - An action's partition results are gathered on **every** process and
//!   combined there, so every process returns the same result and programs
//!   that branch on it stay in step. `collect` of large data puts all of it
//!   in every process's memory. `take`/`first` scan partitions in the same
//!   rounds everywhere; `foreach` runs where each partition lives.
//! - Elements cross processes with serde (postcard): with this feature,
//!   [`Data`](crate::Data) asks for [`Wire`](crate::Wire), that is
//!   `Serialize + Deserialize<'static>`, of every RDD element type, and a type
//!   that is not is a compile error.
//! - Before each job the processes compare their plans: a process that
//!   built a different plan fails the job on every process with
//!   [`Error::PlanMismatch`](crate::Error::PlanMismatch) naming the first
//!   differing RDD.
//! - Fail-stop: an error or a panic in a task fails the job on every process
//!   ([`Error::Peer`](crate::Error::Peer) names the process, and its message
//!   the RDD and partition); a lost process fails the running job
//!   everywhere with [`Error::Cluster`](crate::Error::Cluster) naming it,
//!   and the mesh stays unusable afterwards. Processes must run their jobs
//!   one at a time, in program order (no concurrent or async jobs).
//! - An operation that reads other partitions than its own after a shuffle
//!   (`coalesce`, `zip`, `cartesian`) is an error in a cluster, not a wrong
//!   answer. Saving from several processes is refused for now (every
//!   process gets [`Error::Cluster`](crate::Error::Cluster)).
//!
//! # Launching
//!
//! Every process needs its index, the count, and every process's address
//! (process 0 first), from [`ClusterConfig::from_env`]:
//!
//! | where | index | count | addresses |
//! |---|---|---|---|
//! | by hand | `SPARKLING_PROCESS` or `-p` | `SPARKLING_PROCESSES` or `-n` | `SPARKLING_HOSTFILE` or `-h` (one `host:port` a line) |
//! | one machine | [`launch_local`] / `sparkling-launch -n N -- ./job` | | free loopback ports |
//! | Kubernetes Indexed Job | `JOB_COMPLETION_INDEX` | `SPARKLING_PROCESSES` | `SPARKLING_HOST_PATTERN` |
//! | Slurm (`srun`) | `SLURM_PROCID` | `SLURM_NTASKS` | `SPARKLING_HOSTFILE` |
//!
//! A Kubernetes Indexed Job whose pods resolve as
//! `<job>-<index>.<service>` under a headless service:
//!
//! ```text
//! apiVersion: batch/v1
//! kind: Job
//! metadata: { name: wc }
//! spec:
//!   completions: 4
//!   parallelism: 4
//!   completionMode: Indexed
//!   template:
//!     spec:
//!       subdomain: wc-peers          # a headless Service named wc-peers, selector job-name: wc
//!       restartPolicy: Never
//!       containers:
//!       - name: job
//!         image: registry.example/wordcount:1
//!         env:
//!         - { name: SPARKLING_PROCESSES, value: "4" }
//!         - { name: SPARKLING_HOST_PATTERN, value: "wc-{i}.wc-peers:2101" }
//!         ports: [{ containerPort: 2101 }]
//! ```
//!
//! Slurm, one task per node, the hostfile from the allocation:
//!
//! ```text
//! #SBATCH --ntasks=4 --ntasks-per-node=1
//! scontrol show hostnames "$SLURM_JOB_NODELIST" | sed 's/$/:2101/' > hosts.txt
//! SPARKLING_HOSTFILE=hosts.txt srun ./job
//! ```
//!
//! Fail-stop also means no restarts: a Kubernetes Job should use
//! `backoffLimit: 0` (or restart all pods), since a restarted process
//! cannot rejoin a running cluster.

mod config;
mod frame;
mod local;
mod mesh;

use std::sync::Arc;
use std::time::Duration;

pub use self::config::{
    ClusterConfig, FIRST_PORT, HOST_PATTERN_VAR, HOSTFILE_VAR, PROCESS_VAR, PROCESSES_VAR,
};
pub use self::local::launch_local;
use self::mesh::Mesh;
use crate::{Context, ContextBuilder, Result};

/// The variable holding how many seconds a process waits for every other
/// process to connect (60 by default).
pub const CONNECT_TIMEOUT_VAR: &str = "SPARKLING_CONNECT_TIMEOUT";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

impl ContextBuilder {
    /// Runs the Context's jobs across the cluster the environment
    /// describes ([`ClusterConfig::from_env`]), connecting to every process
    /// now; without such variables or arguments, a single process as
    /// before. Needs the `cluster` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// // Not launched as a cluster: the Context works alone.
    /// let ctx = sparkling::Context::builder().cluster_from_env()?.build()?;
    /// assert_eq!(ctx.process_count(), 1);
    /// assert_eq!(ctx.range(0, 10).count()?, 10);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn cluster_from_env(self) -> Result<Self> {
        match ClusterConfig::from_env()? {
            Some(config) => self.cluster(&config),
            None => Ok(self),
        }
    }

    /// Runs the Context's jobs across the processes of `config`,
    /// connecting to every one of them now: fails when they do not all
    /// connect within `SPARKLING_CONNECT_TIMEOUT` seconds (60 by default).
    /// Needs the `cluster` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::{Context, cluster::ClusterConfig};
    /// let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// let config = ClusterConfig::localhost(0, 1, port)?;
    /// let ctx = Context::builder().cluster(&config)?.build()?;
    /// assert_eq!(ctx.parallelize_with(0..10, 3).map(|x| x * 2).collect()?.len(), 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cluster(self, config: &ClusterConfig) -> Result<Self> {
        let timeout = std::env::var(CONNECT_TIMEOUT_VAR)
            .ok()
            .and_then(|seconds| seconds.trim().parse().ok())
            .map_or(CONNECT_TIMEOUT, Duration::from_secs);
        let mesh = Mesh::connect(config, timeout)?;
        Ok(self.transport(Arc::new(mesh)))
    }
}

impl Context {
    /// This process's index in its cluster (0 outside one). Needs the
    /// `cluster` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::Context::new().process_index(), 0);
    /// ```
    pub fn process_index(&self) -> usize {
        self.peers().map_or(0, |peers| peers.process())
    }

    /// How many processes run the program (1 outside a cluster). Needs the
    /// `cluster` feature.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(sparkling::Context::new().process_count(), 1);
    /// ```
    pub fn process_count(&self) -> usize {
        self.peers().map_or(1, |peers| peers.processes())
    }
}
