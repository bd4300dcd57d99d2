//! Where this process stands in a cluster: its index, the process count
//! and every process's address, from the environment or the arguments.

use std::path::Path;

use crate::{Error, Result};

/// The variable holding the number of processes.
pub const PROCESSES_VAR: &str = "SPARKLING_PROCESSES";
/// The variable holding this process's index (0-based).
pub const PROCESS_VAR: &str = "SPARKLING_PROCESS";
/// The variable naming the hostfile: one `host:port` a line, process 0 first.
pub const HOSTFILE_VAR: &str = "SPARKLING_HOSTFILE";

/// The variable giving every process's address as a pattern, `{i}`
/// standing for the process index (a Kubernetes Indexed Job's pods:
/// `myjob-{i}.myservice:2101`); used when no hostfile is named.
pub const HOST_PATTERN_VAR: &str = "SPARKLING_HOST_PATTERN";

/// Where a scheduler's own variables stand in for `SPARKLING_PROCESS`:
/// a Kubernetes Indexed Job's pod index, then Slurm's task rank.
const PROCESS_FALLBACKS: [&str; 2] = ["JOB_COMPLETION_INDEX", "SLURM_PROCID"];

/// Where a scheduler's own variable stands in for `SPARKLING_PROCESSES`:
/// Slurm's task count.
const PROCESSES_FALLBACKS: [&str; 1] = ["SLURM_NTASKS"];

/// The port of process `i` when no hostfile is given is `FIRST_PORT + i`
/// on localhost (timely's convention).
pub const FIRST_PORT: u16 = 2101;

/// This process's place in a cluster: its index and every process's
/// address (`host:port`), process 0 first.
///
/// # Examples
///
/// ```
/// use sparkling::cluster::ClusterConfig;
/// let config = ClusterConfig::new(1, vec!["10.0.0.1:2101".into(), "10.0.0.2:2101".into()])?;
/// assert_eq!((config.process(), config.processes()), (1, 2));
/// # Ok::<(), sparkling::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    process: usize,
    addresses: Vec<String>,
}

impl ClusterConfig {
    /// Process `process` of as many as `addresses`; fails when the index
    /// is out of range or no address is given.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::cluster::ClusterConfig;
    /// assert!(ClusterConfig::new(2, vec!["127.0.0.1:2101".into()]).is_err());
    /// ```
    pub fn new(process: usize, addresses: Vec<String>) -> Result<Self> {
        if process >= addresses.len() {
            return Err(config_error(
                PROCESS_VAR,
                &process.to_string(),
                format!("the cluster has {} processes", addresses.len()),
            ));
        }
        Ok(ClusterConfig { process, addresses })
    }

    /// Process `process` of `processes` on this machine, process `i`
    /// listening on `127.0.0.1:{first_port + i}`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::cluster::ClusterConfig;
    /// let config = ClusterConfig::localhost(0, 2, 4000)?;
    /// assert_eq!(config.addresses(), ["127.0.0.1:4000", "127.0.0.1:4001"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn localhost(process: usize, processes: usize, first_port: u16) -> Result<Self> {
        let addresses = (0..processes)
            .map(|index| format!("127.0.0.1:{}", usize::from(first_port) + index))
            .collect();
        ClusterConfig::new(process, addresses)
    }

    /// The cluster the environment describes, if any: `SPARKLING_PROCESSES`,
    /// `SPARKLING_PROCESS` and `SPARKLING_HOSTFILE` (or
    /// `SPARKLING_HOST_PATTERN`) when `SPARKLING_PROCESSES` is set, with a
    /// Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` or Slurm's
    /// `SLURM_PROCID` and `SLURM_NTASKS` standing in for unset ones; else
    /// timely's `-n N -p I -h FILE` among the program's arguments; `None`
    /// when there is none of these (a single process). Without a hostfile
    /// or pattern, process `i` listens on localhost port `2101 + i`.
    ///
    /// # Examples
    ///
    /// ```
    /// // Neither variables nor arguments: a program of one process.
    /// assert_eq!(sparkling::cluster::ClusterConfig::from_env()?, None);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn from_env() -> Result<Option<Self>> {
        ClusterConfig::from_vars(|name| std::env::var(name).ok())?.map_or_else(
            || ClusterConfig::from_args(std::env::args().skip(1)),
            |config| Ok(Some(config)),
        )
    }

    /// The cluster described by variables, read through `var`: the
    /// `SPARKLING_*` ones, with a scheduler's own standing in where they
    /// are unset (`JOB_COMPLETION_INDEX` of a Kubernetes Indexed Job or
    /// Slurm's `SLURM_PROCID` for the index, `SLURM_NTASKS` for the
    /// count); addresses from `SPARKLING_HOSTFILE`, else
    /// `SPARKLING_HOST_PATTERN`, else localhost. `None` without a count.
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>> {
        let first = |names: &[&'static str]| {
            names
                .iter()
                .find_map(|&name| var(name).map(|value| (name, value)))
        };
        let Some((count_name, processes)) = first(&[PROCESSES_VAR, PROCESSES_FALLBACKS[0]]) else {
            return Ok(None);
        };
        let processes = parse_index(count_name, &processes)?;
        let mut index_names = vec![PROCESS_VAR];
        index_names.extend(PROCESS_FALLBACKS);
        let Some((index_name, process)) = first(&index_names) else {
            return Err(config_error(
                PROCESS_VAR,
                "",
                format!("{count_name} is set, so this process needs its index"),
            ));
        };
        let process = parse_index(index_name, &process)?;
        if let Some(hostfile) = var(HOSTFILE_VAR) {
            return ClusterConfig::described(process, processes, Some(&hostfile)).map(Some);
        }
        if let Some(pattern) = var(HOST_PATTERN_VAR) {
            if !pattern.contains("{i}") {
                return Err(config_error(
                    HOST_PATTERN_VAR,
                    &pattern,
                    "the pattern needs {i} where the process index goes".to_string(),
                ));
            }
            let addresses = (0..processes)
                .map(|index| pattern.replace("{i}", &index.to_string()))
                .collect();
            return ClusterConfig::new(process, addresses).map(Some);
        }
        ClusterConfig::described(process, processes, None).map(Some)
    }

    /// The cluster timely's options describe among `args`: `-n N` (or
    /// `--processes N`), `-p I` (`--process I`) and `-h FILE`
    /// (`--hostfile FILE`); `None` when `-n` is absent. Other arguments
    /// are left alone.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling::cluster::ClusterConfig;
    /// let args = ["input.txt", "-n", "3", "-p", "2"].map(String::from);
    /// let config = ClusterConfig::from_args(args)?.unwrap();
    /// assert_eq!((config.process(), config.processes()), (2, 3));
    /// assert_eq!(config.addresses()[2], "127.0.0.1:2103");
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Option<Self>> {
        let mut processes = None;
        let mut process = None;
        let mut hostfile = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let slot = match arg.as_str() {
                "-n" | "--processes" => &mut processes,
                "-p" | "--process" => &mut process,
                "-h" | "--hostfile" => &mut hostfile,
                _ => continue,
            };
            *slot = Some(args.next().ok_or_else(|| {
                config_error("arguments", &arg, "the option needs a value".to_string())
            })?);
        }
        let Some(processes) = processes else {
            return Ok(None);
        };
        let processes = parse_index("-n", &processes)?;
        let process = parse_index("-p", process.as_deref().unwrap_or("0"))?;
        ClusterConfig::described(process, processes, hostfile.as_deref()).map(Some)
    }

    /// Process `process` of `processes`, addresses from `hostfile` (its
    /// first `processes` lines) or localhost.
    pub(crate) fn described(
        process: usize,
        processes: usize,
        hostfile: Option<&str>,
    ) -> Result<Self> {
        if processes == 0 {
            return Err(config_error(
                PROCESSES_VAR,
                "0",
                "a cluster has at least one process".to_string(),
            ));
        }
        match hostfile {
            None => {
                let first = FIRST_PORT;
                ClusterConfig::localhost(process, processes, first)
            }
            Some(path) => ClusterConfig::new(process, read_hostfile(Path::new(path), processes)?),
        }
    }

    /// This process's index, below [`processes`](ClusterConfig::processes).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = sparkling::cluster::ClusterConfig::localhost(1, 3, 5000)?;
    /// assert_eq!(config.process(), 1);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn process(&self) -> usize {
        self.process
    }

    /// How many processes run the program.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = sparkling::cluster::ClusterConfig::localhost(1, 3, 5000)?;
    /// assert_eq!(config.processes(), 3);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn processes(&self) -> usize {
        self.addresses.len()
    }

    /// Every process's address, process 0 first.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = sparkling::cluster::ClusterConfig::localhost(0, 1, 5000)?;
    /// assert_eq!(config.addresses(), ["127.0.0.1:5000"]);
    /// # Ok::<(), sparkling::Error>(())
    /// ```
    pub fn addresses(&self) -> &[String] {
        &self.addresses
    }
}

/// The first `processes` non-empty lines of a hostfile.
fn read_hostfile(path: &Path, processes: usize) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        config_error(HOSTFILE_VAR, &path.display().to_string(), error.to_string())
    })?;
    let addresses: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .take(processes)
        .map(str::to_owned)
        .collect();
    if addresses.len() < processes {
        return Err(config_error(
            HOSTFILE_VAR,
            &path.display().to_string(),
            format!(
                "it lists {} addresses for {processes} processes",
                addresses.len()
            ),
        ));
    }
    Ok(addresses)
}

fn parse_index(name: &str, value: &str) -> Result<usize> {
    value
        .trim()
        .parse()
        .map_err(|_| config_error(name, value, "not a non-negative integer".to_string()))
}

fn config_error(name: &str, value: &str, reason: String) -> Error {
    Error::Config {
        name: name.to_string(),
        value: value.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostfiles_give_the_first_lines_and_name_the_file_when_short() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts.txt");
        std::fs::write(
            &path,
            "# the cluster\nhost-a:2101\n\nhost-b:2101\nhost-c:2101\n",
        )
        .unwrap();
        let config = ClusterConfig::described(1, 2, path.to_str()).unwrap();
        assert_eq!(config.addresses(), ["host-a:2101", "host-b:2101"]);
        let error = ClusterConfig::described(0, 4, path.to_str()).unwrap_err();
        assert!(error.to_string().contains("hosts.txt"), "{error}");
        assert!(error.to_string().contains("3 addresses for 4"), "{error}");
        let missing = ClusterConfig::described(0, 2, Some("/no/such/hosts")).unwrap_err();
        assert!(missing.to_string().contains("/no/such/hosts"), "{missing}");
    }

    fn vars(list: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = list
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn kubernetes_and_slurm_variables_stand_in() {
        assert_eq!(ClusterConfig::from_vars(vars(&[])).unwrap(), None);
        let indexed_job = vars(&[
            ("SPARKLING_PROCESSES", "3"),
            ("JOB_COMPLETION_INDEX", "2"),
            ("SPARKLING_HOST_PATTERN", "wc-{i}.wc-peers:2101"),
        ]);
        let config = ClusterConfig::from_vars(indexed_job).unwrap().unwrap();
        assert_eq!(config.process(), 2);
        assert_eq!(
            config.addresses(),
            [
                "wc-0.wc-peers:2101",
                "wc-1.wc-peers:2101",
                "wc-2.wc-peers:2101"
            ]
        );
        let slurm = vars(&[("SLURM_NTASKS", "4"), ("SLURM_PROCID", "1")]);
        let config = ClusterConfig::from_vars(slurm).unwrap().unwrap();
        assert_eq!((config.process(), config.processes()), (1, 4));
        let ours_win = vars(&[
            ("SPARKLING_PROCESSES", "2"),
            ("SPARKLING_PROCESS", "0"),
            ("SLURM_NTASKS", "4"),
            ("SLURM_PROCID", "3"),
        ]);
        let config = ClusterConfig::from_vars(ours_win).unwrap().unwrap();
        assert_eq!((config.process(), config.processes()), (0, 2));
        let no_index = ClusterConfig::from_vars(vars(&[("SPARKLING_PROCESSES", "2")]));
        assert!(
            no_index
                .unwrap_err()
                .to_string()
                .contains("SPARKLING_PROCESS")
        );
        let bad_pattern = vars(&[
            ("SPARKLING_PROCESSES", "2"),
            ("SPARKLING_PROCESS", "0"),
            ("SPARKLING_HOST_PATTERN", "host:2101"),
        ]);
        assert!(ClusterConfig::from_vars(bad_pattern).is_err());
    }

    #[test]
    fn arguments_follow_timely() {
        let args = |list: &[&str]| list.iter().map(|arg| arg.to_string()).collect::<Vec<_>>();
        assert_eq!(ClusterConfig::from_args(args(&["a", "b"])).unwrap(), None);
        let config = ClusterConfig::from_args(args(&["--processes", "2", "--process", "1"]))
            .unwrap()
            .unwrap();
        assert_eq!(config.addresses(), ["127.0.0.1:2101", "127.0.0.1:2102"]);
        assert!(ClusterConfig::from_args(args(&["-n", "2", "-p", "2"])).is_err());
        assert!(ClusterConfig::from_args(args(&["-n", "two"])).is_err());
        assert!(ClusterConfig::from_args(args(&["-n"])).is_err());
        assert!(ClusterConfig::from_args(args(&["-n", "0"])).is_err());
    }
}
