//! Where a process stands in a cluster (timely's `-w -n -p -h` flags), the hostfile, and
//! why a cluster did not start.

use std::path::PathBuf;

/// The most worker threads a process may have: each is a thread with its own dataflow and
/// its own channels to every other worker, so memory grows with the square of the workers
/// (`-w 1000` took 1.5 GB before doing anything). A few per core is all that helps.
pub const MAX_WORKERS: usize = 64;
/// The most processes of a cluster.
pub const MAX_PROCESSES: usize = 64;

/// Where this process stands in the cluster: timely's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct Layout {
    /// Worker threads in each process (1 to 64).
    #[arg(short = 'w', long = "workers", default_value_t = 1, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_WORKERS as u64))]
    pub workers: usize,
    /// Processes in the cluster (1 to 64).
    #[arg(short = 'n', long = "processes", default_value_t = 1, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_PROCESSES as u64))]
    pub processes: usize,
    /// This process's number, from 0.
    #[arg(short = 'p', long = "process", default_value_t = 0)]
    pub process: usize,
    /// A file with one `host:port` per process, line i for process i (needed with -n 2 and
    /// more).
    #[arg(short = 'h', long = "hostfile")]
    pub hostfile: Option<PathBuf>,
    /// How long the processes may take to find each other, in seconds: past it, this
    /// process stops and names the peers it could not reach.
    #[arg(long, default_value_t = 60, value_name = "SECS", value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=86_400))]
    pub start_timeout: u64,
    /// How long a peer may send nothing while this process waits for it, in seconds: past
    /// it, this process stops and names the peer (stopped, or hung).
    #[arg(long, default_value_t = 120, value_name = "SECS", value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=86_400))]
    pub silence: u64,
    /// The cluster's secret, which every process proves it holds (with -n 2 and more).
    /// Default: ~/.parallel-rust/cluster-06.secret, made by the first process that finds
    /// none; on several machines, copy it to each.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
}

/// Why a layout cannot run.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("-n {processes} needs a hostfile (-h FILE) with one host:port per process")]
    NoHostfile { processes: usize },
    #[error("cannot read the hostfile {path}: {error}")]
    Hostfile {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "the hostfile {path} has {found} address(es) for -n {processes}: one host:port per \
         line, line i for process i"
    )]
    TooFewHosts {
        path: PathBuf,
        found: usize,
        processes: usize,
    },
    #[error(
        "the hostfile {path}, line {line}: {text:?} {why}; each line is HOST:PORT, line i for \
         process i"
    )]
    BadHost {
        path: PathBuf,
        line: usize,
        text: String,
        why: String,
    },
    #[error("-p {process} is not below -n {processes}: processes are numbered from 0")]
    Process { process: usize, processes: usize },
    #[error("-w must be at least 1")]
    NoWorkers,
}

impl Layout {
    /// One process of `workers` threads.
    pub fn threads(workers: usize) -> Layout {
        Layout {
            workers,
            processes: 1,
            process: 0,
            hostfile: None,
            start_timeout: 60,
            silence: 120,
            secret_file: None,
        }
    }

    /// Where the cluster's secret is: `--secret-file`, else
    /// `~/.parallel-rust/cluster-06.secret`.
    pub fn secret_path(&self) -> PathBuf {
        (self.secret_file.clone())
            .unwrap_or_else(|| shared::secret::default_folder().join("cluster-06.secret"))
    }

    /// The addresses of the cluster's processes, from the hostfile: one `HOST:PORT` per
    /// line (blank lines skipped), line i for process i, each a real address (its host
    /// resolves) and each once.
    pub fn addresses(&self) -> Result<Vec<String>, LayoutError> {
        let path = self.hostfile.clone().ok_or(LayoutError::NoHostfile {
            processes: self.processes,
        })?;
        let text = std::fs::read_to_string(&path).map_err(|error| LayoutError::Hostfile {
            path: path.clone(),
            error,
        })?;
        let mut addresses: Vec<String> = Vec::new();
        let lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
        for (line, address) in lines.filter(|(_, l)| !l.is_empty()).take(self.processes) {
            let bad = |why: String| LayoutError::BadHost {
                path: path.clone(),
                line,
                text: shared::report::printable(address),
                why,
            };
            match address.rsplit_once(':') {
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {}
                _ => return Err(bad("is not HOST:PORT".into())),
            }
            // A host name that does not resolve would only show at the start-up deadline.
            if let Err(error) = std::net::ToSocketAddrs::to_socket_addrs(address) {
                return Err(bad(format!("does not resolve ({error})")));
            }
            if let Some(first) = addresses.iter().position(|a| a == address) {
                return Err(bad(format!("repeats the address of process {first}")));
            }
            addresses.push(address.to_string());
        }
        if addresses.len() < self.processes {
            return Err(LayoutError::TooFewHosts {
                path,
                found: addresses.len(),
                processes: self.processes,
            });
        }
        Ok(addresses)
    }

    /// Workers in the whole cluster.
    pub fn peers(&self) -> usize {
        self.workers * self.processes
    }

    /// The configuration timely runs with.
    pub fn config(&self) -> Result<timely::Config, LayoutError> {
        use timely::CommunicationConfig as Communication;
        if self.workers == 0 {
            return Err(LayoutError::NoWorkers);
        }
        if self.process >= self.processes {
            return Err(LayoutError::Process {
                process: self.process,
                processes: self.processes,
            });
        }
        let communication = if self.processes > 1 {
            let addresses = self.addresses()?;
            Communication::Cluster {
                threads: self.workers,
                process: self.process,
                addresses,
                report: false,
                zerocopy: false,
            }
        } else if self.workers > 1 {
            Communication::Process(self.workers)
        } else {
            Communication::Thread
        };
        Ok(timely::Config {
            communication,
            worker: timely::WorkerConfig::default(),
        })
    }
}
